import { asConsumer, asHttpRequest, CONSUMER_REQUESTS_WHILE_HTTP, priorityMiddleware, priorityState } from '#local/priority';

/** A stand-in request that stays in flight until released, so the test controls what overlaps. */
function gate() {
  const open: Array<() => void> = [];
  let started = 0;
  const handler = async () => {
    started++;
    await new Promise<void>((r) => open.push(r));
    return 'done';
  };
  return { handler, started: () => started, releaseAll: () => open.splice(0).forEach((r) => r()) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the local runtime keeps HTTP requests ahead of queue consumers at the stand-in', () => {
  it('does not limit consumers while no HTTP request is being handled', async () => {
    const g = gate();
    const send = priorityMiddleware()(g.handler as never);
    const calls = Array.from({ length: 6 }, () => asConsumer(() => send({})));
    await tick();
    expect(g.started()).toBe(6);
    g.releaseAll();
    await Promise.all(calls);
    expect(priorityState()).toEqual({ httpInProgress: 0, consumerRequests: 0, waiting: 0 });
  });

  it('admits at most a few consumer requests while one is, and never holds back the HTTP request itself', async () => {
    const g = gate();
    const send = priorityMiddleware()(g.handler as never);
    let finishHttp!: () => void;
    const http = asHttpRequest(async () => {
      await new Promise<void>((r) => (finishHttp = r));
      return send({});
    });
    const consumers = Array.from({ length: 6 }, () => asConsumer(() => send({})));
    await tick();
    expect(g.started()).toBe(CONSUMER_REQUESTS_WHILE_HTTP);
    expect(priorityState().waiting).toBe(6 - CONSUMER_REQUESTS_WHILE_HTTP);
    finishHttp();
    await tick();
    // The HTTP request's own call went through at once, past the waiting consumers.
    expect(g.started()).toBe(CONSUMER_REQUESTS_WHILE_HTTP + 1);
    g.releaseAll();
    await http;
    // The HTTP request is over: every waiting consumer is admitted.
    await tick();
    expect(g.started()).toBe(7);
    g.releaseAll();
    await expect(Promise.all(consumers)).resolves.toEqual(Array(6).fill('done'));
    expect(priorityState()).toEqual({ httpInProgress: 0, consumerRequests: 0, waiting: 0 });
  });

  it('releases a consumer slot when a request fails', async () => {
    const send = priorityMiddleware()((async () => {
      throw new Error('stand-in down');
    }) as never);
    await expect(asConsumer(() => send({}))).rejects.toThrow('stand-in down');
    expect(priorityState().consumerRequests).toBe(0);
  });
});
