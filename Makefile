# sipedge — the commands a user types. CMake + Ninja do the building underneath.
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_TSAN ?= build-tsan
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja
FUZZ_RUNS  ?= 200000

.PHONY: all deps build test test-unit test-asan test-tsan bench fuzz format format-check demo clean deb man

all: build

deps:
	@bash tools/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Every test: unit, conformance, BPF program tests and the netns integration tests.
test: build
	cd $(BUILD) && ctest --output-on-failure -j 1

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -L unit

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(BUILD_ASAN) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DSIPEDGE_SANITIZE=address,undefined
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	cd $(BUILD_ASAN) && ctest --output-on-failure -L unit

# Concurrency tests (the DNS cache) under ThreadSanitizer.
test-tsan: deps
	cmake -S . -B $(BUILD_TSAN) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DSIPEDGE_SANITIZE=thread
	cmake --build $(BUILD_TSAN) -j $(JOBS)
	cd $(BUILD_TSAN) && ctest --output-on-failure -L tsan

# libFuzzer (clang) on the SIP parser, seeded with the conformance corpus, bounded runs.
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(BUILD_FUZZ) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DSIPEDGE_FUZZ=ON -DSIPEDGE_SANITIZE=address,undefined
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_sip_message fuzz_sip_uri fuzz_sip_fast_path
	bash tests/fuzz/run-fuzzers.sh $(BUILD_FUZZ) $(FUZZ_RUNS)

# Benchmarks print ratios against a baseline measured in the same run.
bench: build
	bash bench/run-all.sh $(BUILD)

demo: build
	bash tools/demo.sh $(BUILD)

# The Debian package (dpkg-buildpackage in a copy of the tree; lintian's verdict beside it).
BUILD_DEB ?= build-deb
deb:
	@bash dist/deb-build-deps.sh
	bash dist/make-deb.sh $(BUILD_DEB)

# The man pages, from each program's --help and man/*.md, into $(BUILD)/man.
man: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target sipedge sipedgectl sipedge-parse sipedge-resolve
	python3 man/gen-man.py --build $(BUILD) --out $(BUILD)/man

FORMAT_FILES = $(shell git ls-files '*.h' '*.cc' '*.c' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_TSAN) $(BUILD_FUZZ)
