# Profiles: two commands do all set-up on a fresh Debian machine.
#   make run    build everything (release) and serve http://127.0.0.1:8080 (API, web UI, docs)
#   make dev    the same on a debug build, the web UI from Vite with hot reload (:5173)
#   make test   every check and test (make e2e alone: the browser journeys)
#   make bench  the benchmark suite (figures in docs/benchmarks.md)
.PHONY: run dev test e2e fuzz chaos bench stop build openapi deps clean help token admin client

help:
	@echo "make run      build (release) and serve Profiles at http://127.0.0.1:8080 (Ctrl-C stops)"
	@echo "make dev      a debug build, with the web UI's hot reload at http://127.0.0.1:5173"
	@echo "make test     run every check and test"
	@echo "make e2e      the end-to-end journeys in Chromium (part of make test)"
	@echo "make chaos    the fault suite: killed workers, PostgreSQL restarts, ORCID and DataCite faults (part of make test)"
	@echo "make fuzz     fuzz the API from its OpenAPI document with schemathesis (part of make test)"
	@echo "make bench    the benchmarks: API throughput and latency, the ORCID budget and wake-up, scale, the settings page's LCP (BENCH_ONLY=api|claims|scale|lcp)"
	@echo "make stop     stop the project-local PostgreSQL"
	@echo "make openapi  regenerate openapi/openapi.json and the web UI's API types"
	@echo "make token ORCID=<iD> SCOPE=claims:read    print a new API token for an account"
	@echo "make admin ORCID=<iD> ROLE=staff_admin     give an account a role (bootstraps the first admin)"
	@echo "make client NAME=<app> REDIRECT_URI=<uri> SCOPE=profile,orcid   register an app that signs people in with Profiles"

run:
	@scripts/run.sh

dev:
	@scripts/run.sh dev

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

# `make client NAME=<app> REDIRECT_URI=<uri> [SCOPE=profile,orcid,…] [PUBLIC=1] [FIRST_PARTY=1]
# [POST_LOGOUT_REDIRECT_URI=<uri>] [BACKCHANNEL_LOGOUT_URI=<uri>]`: an OpenID Connect client (see
# README, "Sign your users in with Profiles"); prints client_id, client_secret (shown only now) and
# issuer. Several redirect or logout URIs: separate them with spaces; scopes with commas, as for
# `make token`.
comma := ,
client:
	@test -n "$(NAME)" -a -n "$(REDIRECT_URI)" || { echo 'give NAME="<app name>" REDIRECT_URI=<exact redirect URI>' >&2; exit 1; }
	@scripts/cli.sh clients add --name "$(NAME)" $(foreach u,$(REDIRECT_URI),--redirect-uri "$(u)") \
		$(foreach s,$(subst $(comma), ,$(SCOPE)),--scope "$(s)") $(if $(PUBLIC),--public) $(if $(FIRST_PARTY),--first-party) \
		$(foreach u,$(POST_LOGOUT_REDIRECT_URI),--post-logout-redirect-uri "$(u)") \
		$(if $(BACKCHANNEL_LOGOUT_URI),--backchannel-logout-uri "$(BACKCHANNEL_LOGOUT_URI)")

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
