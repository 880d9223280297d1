# The README's two commands, and the sanitizer pass CI adds.
BUILD ?= build
ASAN_BUILD ?= build-asan
MESON_TEST_ARGS ?= --print-errorlogs --num-processes 2

.PHONY: run test test-asan test-leaks asan-build deps build fuzz

deps:
	./.ci/install-deps

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)
	ninja -C $(BUILD)

run: build
	./data/bountycam-demo $(BUILD)

test: build
	meson test -C $(BUILD) $(MESON_TEST_ARGS)

asan-build: deps
	@[ -f $(ASAN_BUILD)/build.ninja ] || meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
	ninja -C $(ASAN_BUILD)

test-asan: asan-build
	meson test -C $(ASAN_BUILD) $(MESON_TEST_ARGS) --no-suite style --no-suite slow --timeout-multiplier 3

# Only the tests that run with LeakSanitizer on (part of test-asan too):
# publish + watch + approve, and bountycam-server's exit after whole API
# flows. What is suppressed, and why: tests/lsan.supp.
test-leaks: asan-build
	meson test -C $(ASAN_BUILD) $(MESON_TEST_ARGS) --timeout-multiplier 3 \
	  reliability-leaks reliability-authz reliability-security server-flow

# Each libFuzzer target for FUZZ_SECONDS, from a copy of its corpus;
# crashers land in $(FUZZ_BUILD)/crashes/ (add them to tests/fuzz/corpus/).
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 20
FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz-*.c))

fuzz:
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang meson setup $(FUZZ_BUILD) -Dfuzzing=true -Dapp=false -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link
	ninja -C $(FUZZ_BUILD) $(addprefix tests/fuzz/,$(FUZZ_TARGETS))
	mkdir -p $(FUZZ_BUILD)/crashes
	set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t; cp -n tests/fuzz/corpus/$$t/* $(FUZZ_BUILD)/corpus/$$t/; \
	  echo "== $$t ($(FUZZ_SECONDS) s)"; \
	  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(FUZZ_BUILD)/tests/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=25 -rss_limit_mb=4096 \
	    -max_len=8192 -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t- \
	    $(FUZZ_BUILD)/corpus/$$t 2>&1 | grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written)' || true; \
	  [ -z "$$(ls $(FUZZ_BUILD)/crashes/$$t-* 2>/dev/null)" ] || { echo "$$t: crashers in $(FUZZ_BUILD)/crashes"; exit 1; }; \
	done
