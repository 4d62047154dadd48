import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { afterAll } from 'vitest';
import { runOrmAdapterScenarios } from '../../test/adapter-scenarios.ts';
import { createMysqlFixture } from '../../test/mysql.ts';
import { generatePrismaClient } from '../../test/prisma-client.ts';
import { createPrismaOutboxStore } from './prisma-outbox-store.ts';

const generated = await generatePrismaClient('mysql');
afterAll(() => generated.remove());

runOrmAdapterScenarios('Prisma 7 with @prisma/adapter-mariadb', async () => {
  const fixture = await createMysqlFixture();
  const url = new URL(fixture.url);
  const adapter = new PrismaMariaDb({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    database: fixture.database,
    connectionLimit: 2,
  });
  const prisma = new generated.PrismaClient({ adapter });
  const store = createPrismaOutboxStore({ prisma, store: fixture.store });
  return {
    store,
    outsideTransaction: prisma,
    async placeOrder(outbox, id, events, fault) {
      await prisma.$transaction(async (tx) => {
        await tx.order.create({ data: { id } });
        await outbox.append(tx, events);
        if (fault === 'throw') throw new Error('payment declined');
        if (fault === 'duplicate-row') await tx.order.create({ data: { id } });
      });
    },
    insertOrder: async (tx, id) => {
      await tx.order.create({ data: { id } });
    },
    orderIds: fixture.orderIds,
    async close() {
      await prisma.$disconnect();
      await fixture.close();
    },
  };
});
