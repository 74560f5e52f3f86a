# Profiles: two commands do all set-up on a fresh Debian machine.
#   make run    build everything and serve http://127.0.0.1:8080 (API, web UI, docs)
#   make test   every check and test (make e2e alone: the browser journeys)
#   make bench  the ORCID claims benchmark (figures in docs/benchmarks.md)
.PHONY: run test e2e fuzz chaos bench stop build openapi deps clean help token admin

help:
	@echo "make run      build and serve Profiles at http://127.0.0.1:8080 (Ctrl-C stops)"
	@echo "make test     run every check and test"
	@echo "make e2e      the end-to-end journeys in Chromium (part of make test)"
	@echo "make chaos    the fault suite: killed workers, PostgreSQL restarts, ORCID and DataCite faults (part of make test)"
	@echo "make fuzz     fuzz the API from its OpenAPI document with schemathesis (part of make test)"
	@echo "make bench    benchmark the ORCID claims engine (BENCH_CLAIMS=N, default 400)"
	@echo "make stop     stop the project-local PostgreSQL"
	@echo "make openapi  regenerate openapi/openapi.json and the web UI's API types"
	@echo "make token ORCID=<iD> SCOPE=claims:read    print a new API token for an account"
	@echo "make admin ORCID=<iD> ROLE=staff_admin     give an account a role (bootstraps the first admin)"

run:
	@scripts/run.sh

test:
	@scripts/test.sh

e2e:
	@e2e/run.sh

fuzz:
	@e2e/fuzz/run.sh

chaos:
	@scripts/chaos.sh

bench:
	@scripts/bench.sh

stop:
	@scripts/pg.sh stop

token:
	@scripts/token.sh

admin:
	@scripts/cli.sh admin grant "$(ORCID)" "$(ROLE)"

deps:
	@scripts/deps.sh

build: deps
	cargo build --bin profiles
	cd web-ui && npm run build

openapi:
	cargo run --quiet --bin profiles -- openapi > openapi/openapi.json
	cd web-ui && npm run gen:api

clean:
	cargo clean
	rm -rf web-ui/dist .run
