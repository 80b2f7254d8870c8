# The two commands of this project: `make dev` runs the forum locally, `make test` installs
# everything and passes every test. Everything else here serves those two or deploys.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: dev dev-reset redrive reindex test lint typecheck layer static chromium synth deploy bench fuzz load clean install

$(BIN)/.installed: requirements-dev.txt layers/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed node_modules/.installed

layer: $(BIN)/.installed
	$(BIN)/python layers/build.py

# The static files under their content-hashed names, each kind of page's JavaScript one minified
# bundle (esbuild.mjs): build/static/ and its manifest build/static.json, never committed. A
# fraction of a second, so every target that serves or deploys pages runs it again.
static: node_modules/.installed
	node esbuild.mjs

# The browser of the end-to-end tests and the page-weight bench: Debian's Chromium, installed
# where it is missing and apt may be used (as root, as CI runs); elsewhere those tests skip.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } \
		|| echo "No Chromium (not root or no apt): the browser tests will be skipped."

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy functions infra tests bench local

test: install layer static chromium lint typecheck
	$(BIN)/python -m pytest -q

# The whole forum at http://127.0.0.1:$${FORUM_PORT:-8000}, with local AWS (moto) and demo data.
dev: install layer static
	@$(BIN)/python -m local

# Move the messages of the running `make dev`'s dead-letter queues back to their queues (in AWS:
# aws sqs start-message-move-task --source-arn <dead-letter queue ARN>).
redrive: $(BIN)/.installed
	$(BIN)/python -m local.redrive

# Rebuild the running `make dev`'s search index from its table (resumable, a progress bar; in
# AWS: PYTHONPATH=functions .venv/bin/python -m forum.search.rebuild --table <TableName>
#      --bucket <SearchIndexBucketName> --pause-indexer <IndexerFunctionName>).
reindex: $(BIN)/.installed
	$(BIN)/python -m local.reindex

# Forget the local forum's data (the next `make dev` seeds a new one).
dev-reset:
	rm -rf .local

# Fuzz the JSON API from its OpenAPI document on the local runtime: ≥ 1,000 cases signed out
# and as many signed in (make test runs a short version of the same test).
fuzz: install layer static
	FORUM_FUZZ_EXAMPLES=60 $(BIN)/python -m pytest -q -s tests/fuzz

# 50 members reading and replying for 60 s against a fresh local runtime; checks that every
# acknowledged reply is stored once and counters are exact; prints throughput and percentiles.
load: install layer static
	$(BIN)/python bench/load.py --users 50 --seconds 60

# Both stacks: Forum (the CLI's region) and ForumEdge (CloudFront's web ACL, in us-east-1).
synth: install layer static
	npx cdk synth --quiet

# ForumEdge first (Forum reads its web ACL's ARN), then Forum.
deploy: install layer static
	npx cdk deploy --all

bench: $(BIN)/.installed layer static chromium
	$(BIN)/python bench/dynamodb_cost.py
	$(BIN)/python bench/unread_cost.py
	$(BIN)/python bench/page_weight.py
	$(BIN)/python bench/thumbnail.py
	$(BIN)/python bench/cost.py

clean:
	rm -rf $(VENV) node_modules cdk.out layers/dist build .local .pytest_cache .mypy_cache .ruff_cache .schemathesis test-results
