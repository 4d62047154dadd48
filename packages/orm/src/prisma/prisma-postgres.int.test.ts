import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll } from 'vitest';
import { runOrmAdapterScenarios } from '../../test/adapter-scenarios.ts';
import { createPgFixture, databaseUrl } from '../../test/postgres.ts';
import { generatePrismaClient } from '../../test/prisma-client.ts';
import { createPrismaOutboxStore } from './prisma-outbox-store.ts';

const generated = await generatePrismaClient();
afterAll(() => generated.remove());

runOrmAdapterScenarios('Prisma 7 with @prisma/adapter-pg', async () => {
  const pgFixture = await createPgFixture();
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: 2 }, { schema: pgFixture.schema });
  const prisma = new generated.PrismaClient({ adapter });
  const store = createPrismaOutboxStore({ prisma, store: pgFixture.store });
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
    orderIds: pgFixture.orderIds,
    async close() {
      await prisma.$disconnect();
      await pgFixture.close();
    },
  };
});
