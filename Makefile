# Chorus: `make run` starts the product, `make test` proves it. Both install what is missing first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps build gui run test lint format fuzz sanitize bench clean

all: build

deps:
	@scripts/install-deps

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

gui: deps
	cd core/gui && npm run build

run: build gui
	scripts/run $(ARGS)

test: build gui
	scripts/test

lint: deps
	scripts/lint

format:
	git ls-files 'core/*.cpp' 'core/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp' | xargs clang-format -i
	cd core/gui && npx prettier --write src

fuzz:
	scripts/fuzz long

# ASan+UBSan and TSan builds (build-asan, build-tsan) running the suites; outside `make test`.
sanitize: deps gui
	scripts/sanitize

# Fault drills (tests/faults/README.md): Redis killed, Postgres restarted, chorusd SIGKILLed
# mid-call; outside `make test` (minutes each; chorusd-kill needs root for `ip netns`).
.PHONY: faults soak
faults: build gui
	tests/faults/run-drills.sh $(BUILD_DIR)

# 30 minutes: 200 media peers and SSE listeners against one chorusd; RSS and fds must stay flat.
soak: build
	nice -n 10 tests/faults/soak.sh $(BUILD_DIR)

bench: build
	@echo "see bench/*/README.md"

clean:
	rm -rf $(BUILD_DIR) core/gui/dist
