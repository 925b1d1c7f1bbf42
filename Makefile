# OPcity — executable reference spec of the Cannon MIPS64 FPVM.
SHELL := /bin/bash
# Every target works on a fresh machine with Go 1.26 and the Go module proxy.

GO            ?= go
FUZZTIME      ?= 20000x
CANNON_CASES  ?= 1000
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCHSTAT     := golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

.PHONY: check-dispute report dispute-report bench-fpvm test-models bench-program fuzz-campaign mutation demo all test test-main test-conformance vet fmt-check staticcheck fuzz bench requirements build clean

all: vet test

## demo: the main job on the bundled default (opcity demo): a program in the spec and fpvm in lockstep with
## one step verified statelessly; an MNIST inference with one node recomputed in the VM under both profiles;
## a three-phase dispute game in which a lie is defeated by a verified step.
demo: build
	bin/opcity demo

## test: the README's test command — main module, then the Cannon conformance module.
test: fmt-check vet test-main test-models test-conformance requirements

test-main:
	$(GO) test -timeout 30m ./...

## check-dispute: the exhaustive checker's full run (about 10 minutes on 2 cores): every adversary action
## sequence to the bound on small games; prints each search and the number of distinct game states explored.
check-dispute:
	$(GO) test ./dispute/sim -run 'TestDISPUTE_EXHAUSTIVE$$' -dispute.exhaustive -count=1 -v -timeout 90m 2>&1 | grep -v -E '^(=== RUN|--- PASS)' ; exit $${PIPESTATUS[0]}

## test-models: the trained MNIST models' accuracy through the integer executor (its own module).
test-models:
	cd models/mnist && $(GO) vet ./... && $(GO) test -v -run 'OPML' ./... 2>&1 | grep -v -E '^(=== RUN|--- PASS)' ; exit $${PIPESTATUS[0]}

test-conformance:
	cd conformance/cannon && $(GO) test -v -timeout 60m -run 'Conformance' -cannon.cases=$(CANNON_CASES) . 2>&1 | grep -v -E '^(=== (RUN|PAUSE|CONT|NAME)|    --- PASS|--- PASS)' ; exit $${PIPESTATUS[0]}

vet:
	$(GO) vet ./...
	cd conformance/cannon && $(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l . ); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

staticcheck:
	$(GO) run $(STATICCHECK) ./...
	cd conformance/cannon && $(GO) run $(STATICCHECK) ./...

## fuzz: run every native fuzz target for FUZZTIME each: a count (20000x, immune to golang/go#75804) or a duration (10m).
fuzz:
	@for pkg in ./fuzz ./spec/memory ./cmd/opcity; do \
	  for t in $$($(GO) test $$pkg -list '^Fuzz' | grep '^Fuzz'); do \
	    echo "== $$pkg $$t ($(FUZZTIME))"; \
	    $(GO) test $$pkg -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) || exit 1; \
	  done; \
	done

## fuzz-campaign: every target for CAMPAIGN_TIME each on all cores; crashers and a summary in fuzz-campaign/.
CAMPAIGN_TIME ?= 10m
fuzz-campaign:
	scripts/fuzz-campaign $(CAMPAIGN_TIME) fuzz-campaign

## mutation: mutation testing of spec/... (killed, lived, not covered); see docs/mutation.md.
GREMLINS := github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
mutation:
	$(GO) run $(GREMLINS) unleash --workers 2 --timeout-coefficient 10 spec

## report: measure the base and OPcity profiles on the bundled models; writes docs/report.md and docs/report/*.svg.
report:
	$(GO) run ./cmd/report --root . --out docs

## dispute-report: the four 10,000-game simulation batches (MLP/CNN × base/OPcity, seed 1, every adversary class;
## a few minutes each): their files in docs/dispute-sim/…, as opcity simulate --out writes them, and docs/dispute-report.md.
dispute-report:
	$(GO) run ./cmd/report --dispute-sim --root . --out docs --games 10000 --seed 1

## bench: spec benchmarks, benchstat-readable (make bench > new.txt; benchstat old.txt new.txt).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./spec/...

## bench-program: the spec and Cannon on examples/bench in one run (steps/s, peak heap), with benchstat.
bench-program:
	cd conformance/cannon && $(GO) test -run '^$$' -bench BenchmarkProgram -count 6 -timeout 60m . | tee ../../bench-program.txt
	$(GO) run $(BENCHSTAT) bench-program.txt

## bench-fpvm: fpvm, Cannon production (large i-cache) and Cannon default on bench50 and mix (>50M steps
## each), whole command (load ELF, run, final hash): benchstat by VM, then fpvm's ratios.
BENCH_FPVM_COUNT ?= 5
bench-fpvm:
	cd conformance/cannon && $(GO) test -run '^$$' -bench BenchmarkFPVM_PERF -count $(BENCH_FPVM_COUNT) -timeout 60m . | tee ../../bench-fpvm.txt
	$(GO) run $(BENCHSTAT) -col /vm bench-fpvm.txt
	awk -f scripts/bench-ratios.awk bench-fpvm.txt

benchstat:
	$(GO) run $(BENCHSTAT) $(OLD) $(NEW)

## requirements: fail when a requirement ID in docs/requirements.md has no test naming it.
requirements:
	$(GO) run ./cmd/reqcheck docs/requirements.md .

build:
	$(GO) build -o bin/opcity ./cmd/opcity

clean:
	rm -rf bin
