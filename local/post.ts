/**
 * `npm run post -- <file.json> [more files] [--url http://127.0.0.1:3000] [--as /systems/...]`
 *
 * Posts CloudEvent files to POST /events, signed as a development source (the event's own `source`
 * unless --as says otherwise). A file holding a JSON array is posted as a batch. Prints the response.
 */
import { readFileSync } from 'node:fs';
import { signedHeaders, devKey } from '../shared/auth/signature';

export async function postEvents(
  url: string,
  payload: unknown,
  principal?: string,
  key?: string,
): Promise<{ status: number; body: unknown }> {
  const batch = Array.isArray(payload);
  const as = principal ?? (batch ? (payload[0] as { source?: string })?.source : (payload as { source?: string }).source);
  if (!as) throw new Error('cannot tell which source to sign as: give --as /systems/<name>');
  const body = JSON.stringify(payload);
  const res = await fetch(`${url}/events`, {
    method: 'POST',
    headers: {
      'content-type': batch ? 'application/cloudevents-batch+json' : 'application/cloudevents+json',
      ...signedHeaders(as, key ?? devKey(as), 'POST', '/events', body),
    },
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: show as text */
  }
  return { status: res.status, body: parsed };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const url = opt('--url') ?? process.env.CIVICFLOW_URL ?? 'http://127.0.0.1:3000';
  const as = opt('--as');
  if (args.length === 0) {
    console.error('usage: npm run post -- <event.json> [...] [--url URL] [--as /systems/<name>]');
    process.exit(2);
  }
  let failed = false;
  for (const file of args) {
    const payload = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const out = await postEvents(url, payload, as);
    console.log(`${file}: HTTP ${out.status}\n${JSON.stringify(out.body, null, 2)}`);
    if (out.status >= 300) failed = true;
  }
  process.exit(failed ? 1 : 0);
}
