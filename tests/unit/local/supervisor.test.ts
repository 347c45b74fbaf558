/**
 * The DynamoDB Local supervisor (local/supervisor.ts) against fake JVMs: a crash is restarted on the same
 * port and data folder; a JVM that exits because the runtime is stopping is not, even when the terminal's
 * Ctrl-C reached the JVM before the runtime said it was stopping. Each new JVM is told to the runtime before
 * it is declared up, so the pollers ramp up on it.
 */
import { DynamoSupervisor, SIGNAL_EXIT_GRACE_MS, type StartDynamo } from '#local/supervisor';
import type { DynamoStandIn } from '#local/standins';

interface FakeJvm extends DynamoStandIn {
  exit(how: string): void;
  stopped: boolean;
}

let nextPid = 1000;
function fakeJvm(): FakeJvm {
  let exit!: (how: string) => void;
  const exited = new Promise<string>((resolve) => (exit = resolve));
  const jvm: FakeJvm = {
    endpoint: 'http://127.0.0.1:1',
    pid: nextPid++,
    exited,
    exit,
    stopped: false,
    stop: async () => {
      jvm.stopped = true;
      exit('exit code 143');
    },
  };
  return jvm;
}

/** `started`: when the starter's JVM comes up (at once unless a test holds it back). */
function supervise(started: () => Promise<void> = async () => {}) {
  const first = fakeJvm();
  const log: string[] = [];
  const starts: Array<{ dataDir: string | undefined; port: number; jvm: FakeJvm }> = [];
  const start: StartDynamo = async (dataDir, port) => {
    const jvm = fakeJvm();
    starts.push({ dataDir, port, jvm });
    await started();
    return jvm;
  };
  let prepared = 0;
  const supervisor = new DynamoSupervisor(first, '/data', 4567, (line) => log.push(line), async () => void prepared++, start);
  return { first, supervisor, log, starts, prepared: () => prepared };
}

/** Resolves after the supervisor's grace timer: timers fire in order of their deadline, however late. */
const afterGrace = () => new Promise((r) => setTimeout(r, SIGNAL_EXIT_GRACE_MS + 50));
const nextTurn = () => new Promise((r) => setImmediate(r));

describe('DynamoSupervisor', () => {
  it('restarts a JVM that was killed on the same port and data folder, at once', async () => {
    const { first, supervisor, log, starts, prepared } = supervise();
    first.exit('killed by SIGKILL');
    await nextTurn();
    expect(starts).toHaveLength(1); // no grace for a kill
    await nextTurn(); // the new JVM is prepared and declared up
    expect(starts[0]).toMatchObject({ dataDir: '/data', port: 4567 });
    expect(supervisor.state()).toEqual({ mode: 'up', pid: starts[0]!.jvm.pid, crashes: 1 });
    expect(prepared()).toBe(1);
    expect(log).toEqual([
      '[supervisor] DynamoDB Local exited (killed by SIGKILL); restarting it on port 4567 and its data folder /data',
      `[supervisor] DynamoDB Local is back (pid ${starts[0]!.jvm.pid}, attempt 1)`,
    ]);
    await supervisor.stop();
    expect(starts[0]!.jvm.stopped).toBe(true);
  });

  it.each(['exit code 130', 'exit code 143', 'killed by SIGINT', 'killed by SIGTERM'])(
    'does not restart a JVM that ended with %s when the runtime says it is stopping within the grace',
    async (how) => {
      const { first, supervisor, log, starts } = supervise();
      first.exit(how); // the terminal's Ctrl-C reached the JVM first
      await nextTurn();
      supervisor.stopping(); // then the runtime's signal handler
      await afterGrace();
      expect(starts).toHaveLength(0);
      expect(log).toEqual([]);
      expect(supervisor.state()).toMatchObject({ mode: 'stopped', crashes: 0 });
      await supervisor.stop();
    },
  );

  it('restarts a JVM that ended by a signal nobody followed with a stop, once the grace is over', async () => {
    const { first, supervisor, log, starts } = supervise();
    first.exit('exit code 143'); // e.g. `kill <pid>` on the JVM alone
    await nextTurn();
    expect(starts).toHaveLength(0); // still within the grace
    expect(supervisor.state().mode).toBe('up');
    await supervisor.ensureUp(); // waits for the decision, then for the restart
    expect(starts).toHaveLength(1);
    expect(supervisor.state()).toEqual({ mode: 'up', pid: starts[0]!.jvm.pid, crashes: 1 });
    expect(log[0]).toBe('[supervisor] DynamoDB Local exited (exit code 143); restarting it on port 4567 and its data folder /data');
    await supervisor.stop();
  });

  it('does not restart a JVM that exits after the runtime said it is stopping, whatever the exit', async () => {
    const { first, supervisor, log, starts } = supervise();
    supervisor.stopping();
    first.exit('killed by SIGKILL');
    await afterGrace();
    expect(starts).toHaveLength(0);
    expect(log).toEqual([]);
    await supervisor.stop();
    expect(first.stopped).toBe(true);
  });

  it('stops a JVM that a restart under way brings up after the runtime began stopping', async () => {
    let comeUp!: () => void;
    const { first, supervisor, starts, prepared } = supervise(() => new Promise<void>((r) => (comeUp = r)));
    first.exit('killed by SIGKILL');
    await nextTurn();
    expect(starts).toHaveLength(1); // the restart has called the starter; its JVM is still starting
    supervisor.stopping();
    const stopped = supervisor.stop();
    comeUp();
    await stopped;
    expect(starts[0]!.jvm.stopped).toBe(true);
    expect(prepared()).toBe(0); // never declared up
    expect(supervisor.state()).toMatchObject({ mode: 'stopped', pid: first.pid });
  });

  it('stops a new JVM whose tables could not be prepared before it tries again on the same port', async () => {
    const first = fakeJvm();
    const starts: FakeJvm[] = [];
    const log: string[] = [];
    let failures = 1;
    const supervisor = new DynamoSupervisor(
      first,
      '/data',
      4567,
      (line) => log.push(line),
      async () => {
        if (failures-- > 0) throw new Error('CreateTable timed out');
      },
      async () => {
        // A JVM on a port another one still holds would not bind it: the real starter throws PortTaken.
        if (starts.some((j) => !j.stopped)) throw new Error('DynamoDB Local could not bind port 4567, which another program holds');
        const jvm = fakeJvm();
        starts.push(jvm);
        return jvm;
      },
    );
    first.exit('killed by SIGKILL');
    await nextTurn();
    await supervisor.ensureUp();
    expect(log).toEqual([
      '[supervisor] DynamoDB Local exited (killed by SIGKILL); restarting it on port 4567 and its data folder /data',
      '[supervisor] restart attempt 1 failed: CreateTable timed out',
      `[supervisor] DynamoDB Local is back (pid ${starts[1]!.pid}, attempt 2)`,
    ]);
    expect(starts.map((j) => j.stopped)).toEqual([true, false]);
    expect(supervisor.state()).toEqual({ mode: 'up', pid: starts[1]!.pid, crashes: 1 });
    await supervisor.stop();
  }, 10_000); // the old supervisor tried the port for ever

  it('does not declare up, nor restart, a JVM whose tables were being prepared when the runtime stopped', async () => {
    const first = fakeJvm();
    const starts: FakeJvm[] = [];
    let prepared!: () => void;
    let preparing!: () => void;
    const preparingStarted = new Promise<void>((r) => (preparing = r));
    const supervisor = new DynamoSupervisor(
      first,
      '/data',
      4567,
      () => undefined,
      () => {
        preparing();
        return new Promise<void>((r) => (prepared = r));
      },
      async () => {
        const jvm = fakeJvm();
        starts.push(jvm);
        return jvm;
      },
    );
    first.exit('killed by SIGKILL');
    await preparingStarted;
    supervisor.stopping();
    const stopped = supervisor.stop();
    prepared();
    await stopped;
    await afterGrace(); // a stopped JVM taken for a crash would be restarted after the grace
    expect(starts).toHaveLength(1);
    expect(starts[0]!.stopped).toBe(true);
    expect(supervisor.state().mode).toBe('stopped');
  });

  it('tells its listeners of each new JVM before declaring it up (the pollers ramp up on it), not of the first', async () => {
    const { first, supervisor, starts } = supervise();
    const told: string[] = [];
    supervisor.onBack(() => told.push(supervisor.state().mode));
    expect(told).toEqual([]);
    first.exit('killed by SIGKILL');
    while (starts.length === 0 || supervisor.state().mode !== 'up') await nextTurn();
    // Told while still restarting: no poller takes a batch between the JVM being up and the ramp restarting.
    expect(told).toEqual(['restarting']);
    // The end of a deliberate outage brings a new, cold JVM as well.
    await supervisor.stopForFault();
    await supervisor.ensureUp();
    expect(told).toEqual(['restarting', 'restarting']);
    expect(starts).toHaveLength(2);
    expect(supervisor.state().mode).toBe('up');
    await supervisor.stop();
  });

  it('does not wait for the new JVM to exit when a restart ends while it checks the old one', async () => {
    const { first, supervisor, starts } = supervise();
    const up = supervisor.ensureUp(); // checks the first JVM, which does not answer (a fake)
    first.exit('killed by SIGKILL'); // and dies; the restart ends before the check does
    while (starts.length === 0 || supervisor.state().mode !== 'up') await nextTurn();
    // The old supervisor then waited for the *current* JVM, the new one, to exit: for ever.
    const settled = await Promise.race([up.then(() => 'up'), new Promise((r) => setTimeout(() => r('still waiting'), 2000))]);
    expect(settled).toBe('up');
    expect(supervisor.state()).toEqual({ mode: 'up', pid: starts[0]!.jvm.pid, crashes: 1 });
    await supervisor.stop();
  });

  it('gives up on a JVM that neither answers nor exits, naming it, after its patience', async () => {
    const { first, supervisor, starts } = supervise();
    await expect(supervisor.ensureUp(600)).rejects.toThrow(`DynamoDB Local (pid ${first.pid}) at http://127.0.0.1:1 has not answered for 600 ms and is still running`);
    expect(starts).toHaveLength(0);
    expect(supervisor.state().mode).toBe('up');
    await supervisor.stop();
  });

  it('waits for a JVM that does not answer and then exits, and for its restart', async () => {
    const { first, supervisor, starts } = supervise();
    const up = supervisor.ensureUp();
    setTimeout(() => first.exit('killed by SIGKILL'), 300);
    await up;
    expect(starts).toHaveLength(1);
    expect(supervisor.state()).toEqual({ mode: 'up', pid: starts[0]!.jvm.pid, crashes: 1 });
    await supervisor.stop();
  });
});
