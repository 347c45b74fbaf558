/**
 * Keeps DynamoDB Local running under the local runtime. When its JVM dies (killed, out of memory), the
 * supervisor starts a new one on the same port and data folder — the functions' clients keep their
 * endpoint — while the gateway answers 503 with Retry-After and the pollers wait, so an upstream system
 * retries and no record burns its receive count against a store that is not there. Once the new JVM is up
 * the pollers ramp up on it (onBack). A deliberate outage (`POST /_dev/faults/dynamo`) is not restarted
 * until it is lifted.
 */
import { startDynamo, type DynamoStandIn } from './standins';

/** Starts a JVM on the given data folder and port (startDynamo; a fake in the supervisor's unit test). */
export type StartDynamo = (dataDir: string | undefined, port: number) => Promise<DynamoStandIn>;

/**
 * How long an exit by SIGINT or SIGTERM waits before it counts as a crash. Ctrl-C in a terminal reaches
 * the JVM as well as the runtime, and the JVM may exit before the runtime has said it is stopping.
 */
export const SIGNAL_EXIT_GRACE_MS = 1000;

/** An exit the way a JVM ends on SIGINT or SIGTERM: killed by it, or exit code 128 + its number. */
const bySignal = (how: string): boolean => /SIGINT|SIGTERM|exit code 1(30|43)$/.test(how);

/** How long ensureUp() waits for a JVM that neither answers nor exits. */
export const ENSURE_UP_PATIENCE_MS = 30_000;

type Mode = 'up' | 'restarting' | 'down' | 'stopped';

/** Whether anything answers HTTP at the endpoint (DynamoDB Local answers a bare GET with a 400). */
async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
}

export class DynamoSupervisor {
  private mode: Mode = 'up';
  private restarting: Promise<void> | undefined;
  /** Settles once watch() has decided what the current JVM's exit was (a crash starts the restart). */
  private noticed: Promise<void> = Promise.resolve();
  /** Counts the JVM's unplanned exits: a request that spans one failed because of it. */
  crashes = 0;
  private readonly backListeners: Array<() => void> = [];

  constructor(
    private current: DynamoStandIn,
    private readonly dataDir: string | undefined,
    private readonly port: number,
    private readonly log: (line: string) => void,
    /** Run against each new JVM before it is declared up (tables must exist in an in-memory one). */
    private readonly prepare: () => Promise<void>,
    private readonly start: StartDynamo = startDynamo,
  ) {
    this.watch(current);
  }

  get endpoint(): string {
    return this.current.endpoint;
  }

  get pid(): number | undefined {
    return this.current.pid;
  }

  /** True while a crashed JVM is being replaced (not during a deliberate outage: that one the functions answer, as in AWS). */
  get restartingNow(): boolean {
    return this.mode === 'restarting';
  }

  get down(): boolean {
    return this.mode !== 'up';
  }

  /**
   * Calls `listener` each time a new JVM has come up (after a crash, or at the end of a deliberate outage),
   * just before it is declared up: the runtime's pollers then ramp up on it instead of handing the cold
   * JVM their whole backlog at once (see Ramp in local/pollers.ts).
   */
  onBack(listener: () => void): void {
    this.backListeners.push(listener);
  }

  state(): { mode: Mode; pid: number | undefined; crashes: number } {
    return { mode: this.mode, pid: this.current.pid, crashes: this.crashes };
  }

  private watch(standIn: DynamoStandIn): void {
    this.noticed = standIn.exited.then(async (how) => {
      if (bySignal(how) && this.current === standIn && this.mode === 'up') {
        await new Promise((r) => setTimeout(r, SIGNAL_EXIT_GRACE_MS));
      }
      if (this.current !== standIn || this.mode !== 'up') return;
      this.crashes++;
      this.mode = 'restarting';
      const where = this.dataDir ? `its data folder ${this.dataDir}` : 'memory (its tables were lost: --data DIR keeps them)';
      this.log(`[supervisor] DynamoDB Local exited (${how}); restarting it on port ${this.port} and ${where}`);
      this.restarting = this.replace();
    });
  }

  /** Starts a new JVM until one comes up (or the runtime stops). */
  private async replace(): Promise<void> {
    for (let attempt = 1; this.mode === 'restarting'; attempt++) {
      try {
        const next = await this.start(this.dataDir, this.port);
        if (this.mode !== 'restarting') {
          await next.stop();
          return;
        }
        this.current = next;
        try {
          await this.prepare();
        } catch (error) {
          // It holds the port: left running, every next attempt would fail to bind it, for ever.
          await next.stop();
          throw error;
        }
        // Stopped while the tables were being prepared: stop() stops it (as current); it is no crash.
        if (this.mode !== 'restarting') return;
        this.log(`[supervisor] DynamoDB Local is back (pid ${next.pid}, attempt ${attempt})`);
        // In the same turn as the mode changes: no poller takes a batch before the ramp restarted.
        for (const listener of this.backListeners) listener();
        this.mode = 'up';
        this.watch(next);
        return;
      } catch (error) {
        this.log(`[supervisor] restart attempt ${attempt} failed: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, Math.min(5000, 500 * attempt)));
      }
    }
  }

  /** A deliberate outage: stop the JVM and keep it stopped. */
  async stopForFault(): Promise<void> {
    await this.restarting;
    if (this.mode !== 'up') return;
    this.mode = 'down';
    await this.current.stop();
  }

  /**
   * Ends a deliberate outage, or waits for a restart under way: either way DynamoDB Local is up after.
   * A JVM that died a moment ago may not be noticed yet: one that does not answer is waited for, until it
   * answers again (it was busy) or exits (watch() then restarts it), for at most `patienceMs`; after that
   * this throws, naming the JVM. The JVM checked is the one that was current when the check began: a restart
   * that ends during the check has replaced it, and the new one is not waited on to exit.
   */
  async ensureUp(patienceMs = ENSURE_UP_PATIENCE_MS): Promise<void> {
    const checked = this.current;
    if (this.mode === 'up' && !(await answers(checked.endpoint))) {
      const deadline = Date.now() + patienceMs;
      let exited = false;
      void checked.exited.then(() => (exited = true));
      while (this.current === checked && this.mode === 'up' && !exited) {
        if (Date.now() >= deadline) {
          throw new Error(`DynamoDB Local (pid ${checked.pid}) at ${checked.endpoint} has not answered for ${patienceMs} ms and is still running`);
        }
        await new Promise((r) => setTimeout(r, 200));
        if (await answers(checked.endpoint)) return;
      }
      if (exited && this.current === checked) await this.noticed; // watch() has seen the exit and started the restart
    }
    if (this.mode === 'down') {
      this.mode = 'restarting';
      this.restarting = this.replace();
    }
    await this.restarting;
  }

  /**
   * Says the runtime is stopping, before it stops anything: a JVM exit from now on is not a crash. Called
   * first thing in the runtime's stop, which a signal handler calls: the JVM that got the same Ctrl-C can
   * exit while the gateway and the pollers are still being stopped.
   */
  stopping(): void {
    this.mode = 'stopped';
  }

  async stop(): Promise<void> {
    const wasRestarting = this.restarting;
    this.mode = 'stopped';
    await wasRestarting;
    await this.current.stop();
  }
}
