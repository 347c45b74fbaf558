/**
 * The ingest use case, independent of HTTP and AWS: given the raw body, its content type and the
 * authenticated principal, decide the answer. The body and each event are judged by domain/; recording
 * and queueing come in through the ports. Nothing accepted is lost: an event is answered as accepted only
 * after it is recorded and queued (a failure of either throws, and the client's retry finds it recorded).
 */
import { rawEvents } from './domain/body';
import { firstCopies, screenEvents, toQueueAfterRecording } from './domain/screen';
import type { IngestRequest, IngestResponse } from './domain/types';
import type { IngestPorts } from './ports';

export async function ingest(req: IngestRequest, ports: IngestPorts): Promise<IngestResponse> {
  const body = rawEvents(req.body, req.contentType);
  if (!body.ok) return body.problem;
  const allowed = new Set<string>(req.sources[req.principal]?.types ?? []);
  const screened = screenEvents(body.raws, body.media, {
    principal: req.principal,
    allowed,
    receivedAt: req.receivedAt,
    ...(req.today === undefined ? {} : { today: req.today }),
    ...(req.timeZone === undefined ? {} : { timeZone: req.timeZone }),
  });
  // An authorization failure is not a data error: nothing of such a request is accepted.
  if (screened.forbidden.length > 0) {
    return { status: 403, body: { error: 'the request posts events this source is not allowed to post', rejected: screened.forbidden } };
  }
  const { unique, repeats } = firstCopies(screened.valid);
  const recorded = unique.length > 0 ? await ports.record(unique, req.receivedAt) : [];
  // Each queued under the receipt it was first recorded with: a retry's copy is judged as the first post was.
  const { toQueue, conflicts } = toQueueAfterRecording(unique, recorded);
  await ports.enqueue(toQueue);

  const rejected = [...screened.rejected, ...repeats, ...conflicts];
  const accepted = toQueue.map((e) => e.id);
  if (accepted.length === 0) {
    // Too large, as a body or a batch over the limits is, when that is all that kept the request out.
    if (screened.tooLarge > 0 && screened.tooLarge === rejected.length) {
      return { status: 413, body: { error: 'no event was accepted: too large to queue', accepted, rejected } };
    }
    return { status: 400, body: { error: 'no event was accepted', accepted, rejected } };
  }
  return { status: 202, body: { accepted, rejected } };
}
