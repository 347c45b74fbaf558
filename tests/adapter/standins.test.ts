/**
 * DynamoDB Local's start when its port is taken. The JVM binds its port seconds after the port was
 * chosen; on a busy machine another process can take it meanwhile. A port the runtime chose is then
 * chosen again; a port asked for (a restart on the port the functions' clients know) is not.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { freePort, startDynamo, StartError, type DynamoStandIn } from '#local/standins';

let holder: Server;
let held: number;
const started: DynamoStandIn[] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  // Accepts and never answers, as a program holding the port would: the start must not wait on it.
  holder = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  held = (holder.address() as { port: number }).port;
});

afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => holder.close(resolve));
});

test('a chosen port taken before the JVM binds it is chosen again', async () => {
  const offered: number[] = [];
  const choose = async () => {
    const port = offered.length === 0 ? held : await freePort();
    offered.push(port);
    return port;
  };
  const standIn = await startDynamo(undefined, undefined, choose);
  started.push(standIn);
  expect(offered).toHaveLength(2);
  expect(offered[0]).toBe(held);
  expect(standIn.endpoint).toBe(`http://127.0.0.1:${offered[1]}`);
  const answer = await fetch(standIn.endpoint);
  expect(answer.status).toBe(400); // DynamoDB Local answers a bare GET with a 400
});

test('a port asked for that another program holds is a start error naming it, not tried elsewhere', async () => {
  let chosen = 0;
  const attempt = startDynamo(undefined, held, async () => {
    chosen++;
    return freePort();
  });
  await expect(attempt).rejects.toBeInstanceOf(StartError);
  await expect(attempt).rejects.toThrow(`DynamoDB Local could not bind port ${held}, which another program holds`);
  expect(chosen).toBe(0);
});

test('a chosen port lost every time ends in the same start error after a few tries', async () => {
  let tries = 0;
  const attempt = startDynamo(undefined, undefined, async () => {
    tries++;
    return held;
  });
  await expect(attempt).rejects.toThrow(`DynamoDB Local could not bind port ${held}, which another program holds`);
  expect(tries).toBe(5);
});
