"""One module per forecast-migrate command; each exposes `run(ctx, ...) -> exit code`."""
