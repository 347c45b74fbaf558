/**
 * `npm run post -- <file.json>... [--url URL] [--as /systems/...] [--wait]` (`-- --help` for the usage)
 *
 * Posts CloudEvent files to POST /events, signed as a development source (the event's own `source`
 * unless --as says otherwise). A file holding a JSON array is posted as a batch. Prints the response.
 * Like a real upstream system it waits and tries again while the runtime answers 503 (starting, or its
 * storage restarting), honouring Retry-After.
 */
import { readFileSync } from 'node:fs';
import { signedHeaders, devKey } from '#auth/signature';
import { commandLine, runMain, runtimeUrl, UsageError, type CommandSpec } from './cli';

export const POST: CommandSpec = {
  command: 'npm run post',
  positionals: '<event.json>...',
  summary: 'Signs each file as its event source (development keys) and posts it to the runtime; a JSON array is posted as a batch.',
  options: [
    { name: 'url', value: 'URL', help: 'the runtime (default: $CIVICFLOW_URL, else http://127.0.0.1:3000)' },
    { name: 'as', value: 'SOURCE', help: "sign as this source instead of the event's own, e.g. /systems/catalog" },
    { name: 'wait', help: 'return once the runtime has handled everything posted (local runtime: POST /_dev/drain)' },
  ],
};

/** Longest wait for a runtime that keeps answering 503. */
const RETRY_FOR_MS = 60_000;

export async function postEvents(
  url: string,
  payload: unknown,
  principal?: string,
  key?: string,
): Promise<{ status: number; body: unknown }> {
  const batch = Array.isArray(payload);
  const as = principal ?? (batch ? (payload[0] as { source?: string })?.source : (payload as { source?: string }).source);
  if (!as) throw new UsageError('cannot tell which source to sign as: give --as /systems/<name>');
  const body = JSON.stringify(payload);
  const deadline = Date.now() + RETRY_FOR_MS;
  for (;;) {
    const res = await fetch(`${url}/events`, {
      method: 'POST',
      headers: {
        'content-type': batch ? 'application/cloudevents-batch+json' : 'application/cloudevents+json',
        // Signed on each try: the signature's date must be recent.
        ...signedHeaders(as, key ?? devKey(as), 'POST', '/events', body),
      },
      body,
    });
    const text = await res.text();
    const wait = Number(res.headers.get('retry-after') ?? 0) * 1000;
    if (res.status === 503 && wait > 0 && Date.now() + wait < deadline) {
      await new Promise((r) => setTimeout(r, wait));
      continue;
    }
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: show as text */
    }
    return { status: res.status, body: parsed };
  }
}

async function waitUntilHandled(url: string): Promise<void> {
  const res = await fetch(`${url}/_dev/drain?timeoutMs=120000`, { method: 'POST' });
  if (res.status === 404) throw new UsageError(`--wait needs the local runtime (${url} has no /_dev/drain)`);
  if (res.status === 409) throw new Error(`nothing will be handled: ${await res.text()}`);
  if (!res.ok) throw new Error(`the runtime did not finish within 2 minutes: ${await res.text()}`);
}

function readEvent(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not an event file' : (error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${file}: not JSON (${(error as Error).message})`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cli = commandLine(POST);
  const url = runtimeUrl(cli.values.url);
  runMain(
    POST,
    async () => {
      if (cli.positionals.length === 0) throw new UsageError(`give one or more event files, e.g. events/samples/gov.catalog.item.published/weather-certificate.json; see: ${POST.command} -- --help`);
      // Every file is read before anything is posted: a typo in the last one posts nothing.
      const payloads = cli.positionals.map((file) => [file, readEvent(file)] as const);
      let failed = false;
      for (const [file, payload] of payloads) {
        const out = await postEvents(url, payload, cli.values.as);
        console.log(`${file}: HTTP ${out.status}\n${JSON.stringify(out.body, null, 2)}`);
        if (out.status >= 300) failed = true;
      }
      if (cli.flags.has('wait') && !failed) await waitUntilHandled(url);
      return failed ? 1 : 0;
    },
    () => url,
  );
}
