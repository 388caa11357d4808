#!/usr/bin/env node
// Runbook Step 6 as the application does it: the Prisma Client generated from
// prisma/schema.new.prisma (`prisma generate` -> generated/prisma; the tests name their own
// copy in PRISMA_CLIENT_DIR), connected through @prisma/adapter-pg as the application's role.
// One operation per run; the result is one JSON document on stdout (dates as ISO strings).
// A Prisma error is printed as {"error": {"code": ..., "message": ...}} with exit code 3.
//
//   DATABASE_URL=postgresql://role:password@host:port/db node tests/prisma/runbook_step6.cjs <operation> ['<json arguments>']
//
// A unix socket directory goes in the URL as ?host=/path/to/dir. FORECAST_TARGET_SCHEMA
// names the schema of the new tables (default: the role's search_path, i.e. public).
"use strict";
const path = require("node:path");
const { PrismaPg } = require("@prisma/adapter-pg");

const CLIENT_DIR = process.env.PRISMA_CLIENT_DIR || path.join(__dirname, "..", "..", "generated", "prisma");
const { PrismaClient, Prisma } = require(CLIENT_DIR);

function client() {
  const schema = process.env.FORECAST_TARGET_SCHEMA;
  const adapter = new PrismaPg({ connectionString: process.env.DATABASE_URL }, schema ? { schema } : undefined);
  return new PrismaClient({ adapter });
}

// /curve-schedule: every curve with its active schedule and its instances (newest first),
// each instance with its number of prices.
async function listCurves(prisma) {
  return prisma.curveDefinition.findMany({
    orderBy: { curveName: "asc" },
    select: {
      id: true,
      curveName: true,
      market: true,
      location: true,
      product: true,
      granularity: true,
      timezone: true,
      isActive: true,
      curveSchedules: {
        where: { isActive: true },
        orderBy: { id: "asc" },
        select: {
          id: true,
          scheduleType: true,
          frequency: true,
          dayOfWeek: true,
          dayOfMonth: true,
          timeOfDay: true,
          freshnessHours: true,
          responsibleTeam: true,
        },
      },
      curveInstances: {
        orderBy: [{ forecastRunDate: "desc" }, { id: "desc" }],
        select: {
          id: true,
          instanceVersion: true,
          status: true,
          runType: true,
          forecastRunDate: true,
          freshnessEndDate: true,
          _count: { select: { priceForecasts: true } },
        },
      },
    },
  });
}

// The curve instance API: a new instance of a curve (next version), its prices and its
// lineage, and a version history row pointing at the instance it follows, in one
// transaction. No ids are given: the database assigns them.
async function createInstance(prisma, args) {
  return prisma.$transaction(async (tx) => {
    const curve = await tx.curveDefinition.findUniqueOrThrow({ where: { curveName: args.curveName } });
    const previous = await tx.curveInstance.findFirst({
      where: { curveDefinitionId: curve.id },
      orderBy: [{ instanceVersion: "desc" }],
    });
    const start = new Date(args.prices[0].timestamp);
    const end = new Date(args.prices[args.prices.length - 1].timestamp);
    const instance = await tx.curveInstance.create({
      data: {
        curveDefinition: { connect: { id: curve.id } },
        instanceVersion: (previous ? previous.instanceVersion : 0) + 1,
        deliveryPeriodStart: start,
        deliveryPeriodEnd: end,
        forecastRunDate: new Date(args.runDate),
        freshnessStartDate: new Date(args.runDate),
        status: "DRAFT",
        runType: "MANUAL",
        createdBy: args.createdBy,
        modelType: "fundamentals",
        metadata: { source: "api", request: args.requestId },
        priceForecasts: {
          create: args.prices.map((price) => ({ ...price, timestamp: new Date(price.timestamp) })),
        },
        curveInputLineages: {
          create: [
            {
              inputType: "WEATHER_FORECAST",
              inputSource: "noaa-gfs",
              inputIdentifier: args.requestId,
              inputTimestamp: new Date(args.runDate),
              usageType: "PRIMARY",
              weight: 1,
              metadata: { note: "created through the API" },
            },
          ],
        },
      },
      include: {
        priceForecasts: { orderBy: { timestamp: "asc" } },
        curveInputLineages: true,
      },
    });
    const history = await tx.versionHistory.create({
      data: {
        curveInstance: { connect: { id: instance.id } },
        previousInstance: previous ? { connect: { id: previous.id } } : undefined,
        changeType: previous ? "UPDATE" : "INITIAL",
        changeReason: "new run through the API",
        changedBy: args.createdBy,
      },
    });
    return { curveId: curve.id, previousInstanceId: previous ? previous.id : null, instance, history };
  });
}

// A schedule update: the page's edit form, then the scheduler recording a run.
async function updateSchedule(prisma, args) {
  const schedule = await prisma.curveSchedule.update({
    where: { id: args.scheduleId },
    data: args.data,
  });
  const run = await prisma.scheduleRun.create({
    data: {
      schedule: { connect: { id: schedule.id } },
      scheduledFor: new Date(args.scheduledFor),
      status: "COMPLETED",
      instancesCreated: 1,
    },
  });
  return { schedule, run };
}

// The old /curve-schedule queries, unchanged but for the relation name: the legacy
// curve_definitions rows, read from curve_definitions_compat.
async function readCompat(prisma) {
  return prisma.$queryRaw`SELECT * FROM curve_definitions_compat ORDER BY curve_id`;
}

// Rows as the client returns them, for checking what Prisma does with a column it cannot
// describe exactly (PriceForecast.flags: NULL in the database, a list in Prisma).
async function readPrices(prisma, args) {
  return prisma.priceForecast.findMany({ where: { id: { in: args.ids } }, orderBy: { id: "asc" } });
}

const OPERATIONS = {
  "list-curves": listCurves,
  "create-instance": createInstance,
  "update-schedule": updateSchedule,
  "read-compat": readCompat,
  "read-prices": readPrices,
};

async function main() {
  const [operation, json] = process.argv.slice(2);
  if (!OPERATIONS[operation]) {
    console.error(`usage: runbook_step6.cjs {${Object.keys(OPERATIONS).join("|")}} ['<json>']`);
    process.exit(2);
  }
  const prisma = client();
  try {
    const result = await OPERATIONS[operation](prisma, json ? JSON.parse(json) : {});
    process.stdout.write(JSON.stringify(result, (key, value) => (typeof value === "bigint" ? value.toString() : value)));
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError)) throw error;
    process.stdout.write(JSON.stringify({ error: { code: error.code, message: error.message, meta: error.meta } }));
    process.exitCode = 3;
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
