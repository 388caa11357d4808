#!/usr/bin/env node
// A Prisma generator that writes the DMMF `prisma generate` hands its generators (the
// schema as Prisma's own parser understands it: every field's type, native type,
// nullability, default, @map name and relation actions) to `<output>/dmmf.json`.
// Speaks Prisma's generator protocol: JSON-RPC requests on stdin, responses on stderr.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const readline = require("node:readline");

function respond(id, result) {
  process.stderr.write(JSON.stringify({ jsonrpc: "2.0", id, result }) + "\n");
}

function fail(id, error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32000, message, data: null } }) + "\n",
  );
}

function handle(request) {
  if (request.method === "getManifest") {
    return { manifest: { prettyName: "DMMF description", requiresEngines: [] } };
  }
  if (request.method === "generate") {
    const output = request.params.generator.output.value;
    fs.mkdirSync(output, { recursive: true });
    fs.writeFileSync(path.join(output, "dmmf.json"), JSON.stringify(request.params.dmmf, null, 2));
    return null;
  }
  throw new Error(`unknown method ${request.method}`);
}

readline.createInterface({ input: process.stdin, crlfDelay: Infinity }).on("line", (line) => {
  const request = JSON.parse(line);
  try {
    respond(request.id, handle(request));
  } catch (error) {
    fail(request.id, error);
  }
});
