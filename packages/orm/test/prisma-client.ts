/**
 * Generates a Prisma 7 client (the `prisma-client` generator) for the adapter's tests, into
 * an ignored folder under the workspace's node_modules so that it resolves @prisma/client.
 *
 * `prisma generate` first makes sure a schema-engine binary exists and downloads one when it
 * does not, from a host outside the npm registry (unreachable here and in CI). Generating
 * does not run that engine (it uses the WebAssembly build shipped in the npm package), so
 * PRISMA_SCHEMA_ENGINE_BINARY points the check at an existing file. Migrations would need
 * the real engine; the tests create their table with SQL instead.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { PrismaTransactionClient } from '../src/prisma/prisma-outbox-store.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const schemaFor = (provider: 'postgresql' | 'mysql') => `
generator client {
  provider = "prisma-client"
  output   = "./client"
}
datasource db {
  provider = "${provider}"
}
model Order {
  id String @id${provider === 'mysql' ? ' @db.VarChar(64)' : ''}
  @@map("orders")
}
`;

export interface ShopTx extends PrismaTransactionClient {
  readonly order: { create(args: { data: { id: string } }): Promise<unknown> };
}

export interface ShopClient {
  $transaction<R>(work: (tx: ShopTx) => Promise<R>, options?: { timeout?: number }): Promise<R>;
  $disconnect(): Promise<void>;
  readonly order: ShopTx['order'];
}

export interface GeneratedClient {
  readonly PrismaClient: new (options: { adapter: unknown }) => ShopClient;
  remove(): void;
}

export async function generatePrismaClient(
  provider: 'postgresql' | 'mysql' = 'postgresql',
): Promise<GeneratedClient> {
  const dir = join(root, 'node_modules', '.tidings-prisma', randomUUID());
  mkdirSync(dir, { recursive: true });
  const schemaFile = join(dir, 'schema.prisma');
  writeFileSync(schemaFile, schemaFor(provider));
  const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
  await promisify(execFile)(process.execPath, [cli, 'generate', '--schema', schemaFile], {
    cwd: dir,
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: schemaFile,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
    timeout: 120_000,
  });
  const module = (await import(pathToFileURL(join(dir, 'client', 'client.ts')).href)) as {
    PrismaClient: GeneratedClient['PrismaClient'];
  };
  return { PrismaClient: module.PrismaClient, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
