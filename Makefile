# bareipc — `make help` lists the targets.
CARGO    ?= cargo
# Every [[bin]] of Cargo.toml: the one list of programs (scripts/dev programs).
PROGRAMS := $(shell scripts/dev programs)

.PHONY: all cross run check test deps measure strace strace-raw container-test image size bench ipc-bench stop-bench readme package clean help

all: ## Build every program (release, static, libc-free) into bin/
	$(CARGO) build --release -p bareipc-programs --bins
	@mkdir -p bin
	@cp $(addprefix target/release/,$(PROGRAMS)) bin/
	@scripts/dev strip-section-headers $(addprefix bin/,$(PROGRAMS))
	@echo "built: $(PROGRAMS)"

cross: ## Build every program for the other architectures (aarch64, riscv64) into bin/ARCH/
	@scripts/dev cross

run: all ## Build, then run every program and print a table: program, output, wall time
	@scripts/dev run $(PROGRAMS)

# Where the tests and scripts record what they skipped (scripts/dev test-summary).
export BAREIPC_SKIP_LOG := $(CURDIR)/target/test-log.tsv

deps: ## Install what make test needs and a fresh Debian or Ubuntu machine lacks (root, network)
	@scripts/dev deps

check: ## The quick loop (about a minute): format, clippy, unit tests, the programs' own checks
	$(CARGO) fmt --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) test --quiet --workspace --lib
	$(CARGO) test --quiet --test programs --test worker_panic -- --skip other_architectures
	@scripts/dev update-readme check

test: all ## Everything (7-10 min): format, clippy, docs, all tests, the examples, other architectures, containers; ends with a summary of what ran and what was skipped
	@scripts/dev test-summary begin
	$(CARGO) fmt --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy --lib --examples --tests --features std -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --all-features --quiet
	@scripts/dev update-readme check
	@scripts/dev test-summary ran "format, clippy (also with std), docs with warnings denied, pages agree with results/tables"
	$(CARGO) test --workspace
	$(CARGO) test --quiet --lib --features std
	$(CARGO) test --quiet --doc --features std
	@# The same workers as a std program has them (the C library's fork): reaping only
	@# their own, a receive that ends when one dies, a racer that finds nothing to truncate.
	$(CARGO) test --quiet --features std --test worker_panic --test shm_race --test interop
	@scripts/dev test-summary ran "unit, integration and doc tests (also with std)"
	@# The library's tests for each other architecture, under qemu-user (the cargo runner
	@# of .cargo/config.toml). qemu-user has no process_vm_readv: that module's test is
	@# the one left out there (docs/architectures.md).
	@if scripts/dev test-summary gate-cross; then \
	    scripts/dev cross --targets | while read -r arch target; do \
	        echo "library: clippy, and its tests under qemu, for $$arch"; \
	        $(CARGO) clippy --quiet --workspace --lib --bins --target $$target -- -D warnings || exit 1; \
	        $(CARGO) test --quiet --workspace --lib --target $$target -- --skip ipc::process_vm || exit 1; \
	    done && scripts/dev test-summary ran "library on aarch64 and riscv64 (clippy, tests under qemu)"; \
	fi
	$(CARGO) run --quiet --features std --example mq-workers
	$(CARGO) run --quiet --features std --example sem-glibc
	$(CARGO) run --quiet --features std --example atfork
	@scripts/dev test-summary ran "the std examples"
	@scripts/dev container-test
	@scripts/dev test-summary ran "container test"
	@scripts/dev test-summary summary

strace: all ## Each program's syscall profile under strace -f: parent, worker, formula in W
	@scripts/dev strace-profile

strace-raw: all ## The annotated strace of one small run (W = 2) of every program, or of PROGRAM=NAME
	@scripts/dev strace-profile --raw $(PROGRAM)

container-test: all ## Every program in an empty root (unshare), then under Podman and Docker (docs/containers.md)
	@scripts/dev container-test

ENGINE ?= podman
# The host's architecture as container engines name it (TARGETARCH).
HOSTARCH := $(subst x86_64,amd64,$(subst aarch64,arm64,$(shell uname -m)))
image: all ## The FROM scratch image "bareipc" (context: target/image/bin/TARGETARCH/), built with $(ENGINE)
	@rm -rf target/image && mkdir -p target/image/bin/$(HOSTARCH)
	@cp $(addprefix bin/,$(PROGRAMS)) target/image/bin/$(HOSTARCH)/
	@# What `make cross` built, under the names engines give TARGETARCH.
	@for a in aarch64:arm64 riscv64:riscv64 x86_64:amd64; do \
	    [ -d bin/$${a%%:*} ] || continue; mkdir -p target/image/bin/$${a##*:}; \
	    cp $(addprefix bin/$${a%%:*}/,$(PROGRAMS)) target/image/bin/$${a##*:}/; \
	done
	$(ENGINE) build --build-arg TARGETARCH=$(HOSTARCH) -t bareipc -f Dockerfile target/image

size: all ## Size in bytes of each binary (limit 16384) and the peak RSS of a default run; other architectures' after make cross
	@scripts/dev size $(PROGRAMS)
	@if ls -d bin/*/ >/dev/null 2>&1; then echo; scripts/dev size --arches $(PROGRAMS); fi

bench: all ## The kernel against the divider, cost per worker against the fork floor, each pi program against its C twin
	@scripts/dev bench

ipc-bench: all ## Transport benchmark: round trip and stream of every mechanism against C, table + SVG in results/
	@scripts/dev ipc-bench

stop-bench: all ## Time from a stop signal to the exit, W = 16 to 512 computing workers (docs/faults.md)
	@scripts/dev stop-bench

readme: ## Write the stored tables (results/tables/) into README.md and docs/: seconds, no program runs
	@scripts/dev update-readme render

measure: all ## Measure every table again (minutes: sizes, syscalls, faults, benchmarks, engines) into results/tables/, then render
	@scripts/dev update-readme measure

package: ## What `cargo package` would publish, then `cargo publish --dry-run`
	$(CARGO) package --list --allow-dirty
	$(CARGO) publish --dry-run --allow-dirty

clean: ## Remove build output
	$(CARGO) clean
	rm -rf bin

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16
