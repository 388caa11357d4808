// The Prisma CLI's configuration for this repository (Prisma 7 reads the datasource URL
// here, not from the schema file). The URL comes from process.env, not Prisma's env()
// helper: env() fails `prisma generate` when DATABASE_URL is unset, and generating the
// client needs no database.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.new.prisma",
  datasource: {
    url: process.env.DATABASE_URL,
  },
});
