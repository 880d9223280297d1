# The README's two commands, and the sanitizer pass CI adds.
BUILD ?= build
ASAN_BUILD ?= build-asan
MESON_TEST_ARGS ?= --print-errorlogs --num-processes 2

.PHONY: run test test-asan deps build

deps:
	./.ci/install-deps

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)
	ninja -C $(BUILD)

run: build
	./data/bountycam-demo $(BUILD)

test: build
	meson test -C $(BUILD) $(MESON_TEST_ARGS)

test-asan: deps
	@[ -f $(ASAN_BUILD)/build.ninja ] || meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
	ninja -C $(ASAN_BUILD)
	meson test -C $(ASAN_BUILD) $(MESON_TEST_ARGS) --no-suite style --no-suite slow --timeout-multiplier 3
