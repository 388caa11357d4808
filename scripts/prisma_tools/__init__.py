"""The Prisma schema tools of runbook Step 5, apart from the forecast-migrate commands:
`python -m prisma_tools.schema` writes prisma/schema.new.prisma from the dbt contracts."""
