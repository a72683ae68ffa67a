# Entry points for people and CI. `make run` and `make test` work on a fresh Debian machine:
# both install what is missing (scripts/setup.sh), build, then run.
PRESET ?= ci
BUILD  := build/$(PRESET)
CONFIG ?= config/ctwatch.toml

.PHONY: all setup configure build test run demo bench fuzz-smoke clean

all: build

setup:
	@scripts/setup.sh

configure: setup
	@test -f $(BUILD)/build.ninja || cmake --preset $(PRESET)

build: configure
	@cmake --build --preset $(PRESET)

# The README's test command; .ci/run runs exactly this.
test: build fuzz-smoke
	ctest --preset $(PRESET)

run: build
	$(BUILD)/bin/ctwatch run --config $(CONFIG)

demo: build
	scripts/demo.sh $(BUILD)

bench: build
	scripts/bench.sh $(BUILD)

# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each briefly on its corpus.
fuzz-smoke: setup
	@test -f build/fuzz/build.ninja || cmake --preset fuzz
	@cmake --build --preset fuzz
	@scripts/fuzz-smoke.sh build/fuzz

clean:
	rm -rf build
