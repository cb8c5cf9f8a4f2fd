# 共青扶贫超市 — build, run and test.
#
#   make run     install what is missing, start a private PostgreSQL under
#                var/, migrate, load demo data, serve http://127.0.0.1:8888
#   make test    the same against a throwaway database, then every test
#   make faults  the fault tests, the long ones too (tests/faults/)
#   make soak    an hour of mixed load, SOAK_MINUTES=N for another length
#   make stop    stop the server and the database started by make run
#   make bench   benchmarks (tests/bench), figures in docs/benchmarks.md
#
# To use an existing PostgreSQL server instead of the private one, give
# the two connection strings (see README.md):
#   make run SHOP_DATABASE='host=db.example dbname=shop user=shop_app' \
#            OWNER_DATABASE='host=db.example dbname=shop user=shop_owner'

VAR		?= var
PORT		?= 8888
PGBIN		:= /usr/lib/postgresql/15/bin
SOCK		 = $(abspath $(VAR))/pg/run
SHOP_DATABASE	?= host=$(SOCK) dbname=shop user=shop_app
OWNER_DATABASE	?= host=$(SOCK) dbname=shop user=shop_owner
PRIVATE_DB	:= $(if $(filter command line environment,$(origin SHOP_DATABASE)),no,yes)

# Debian packages: to build and run, and in addition to test and measure.
DEPS_RUN	 = kore libpq-dev libjansson-dev libssl-dev libqrencode-dev postgresql-15 \
		   postgresql-client-15 gcc make binutils libxlsxwriter-dev \
		   libcurl4-openssl-dev python3-yaml libvips-dev fonts-wqy-microhei
DEPS_TEST	 = libcmocka-dev chromium wrk nodejs time clang libfuzzer-14-dev \
		   libclang-rt-14-dev libvips-tools libimage-exiftool-perl libfaketime
SUDO		:= $(if $(filter 0,$(shell id -u)),,sudo)

CC		?= cc
CFLAGS		+= -O2 -g -fPIC -std=gnu11 -Wall -Wextra -Wmissing-prototypes \
		   -Wstrict-prototypes -Wshadow -Wpointer-arith -Wcast-qual \
		   -Wsign-compare -Wno-unused-parameter -Werror -D_GNU_SOURCE \
		   -Ibuild -Isrc -Isrc/lib
KORE_CFLAGS	:= $(shell cat /usr/share/kore/features 2>/dev/null)

# make test SANITIZE=1: the module, the command-line tools, logverify and
# the unit tests built with AddressSanitizer and UBSan (any report fails
# the run: tests/run.sh preloads the runtime into Kore, which is not
# instrumented, and reads the reports).  build/flags records the flags of
# the last build, so switching rebuilds everything.
SANITIZE	?= 0
ifeq ($(SANITIZE),1)
CFLAGS		+= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer -DSHOP_SANITIZE
LDFLAGS		+= -fsanitize=address,undefined
endif
# libvips decodes the hand-over photos (src/lib/photo.c): the module,
# photo.c's unit test and its fuzz target link it, nothing else.
VIPS_CFLAGS	:= $(shell pkg-config --cflags vips 2>/dev/null)
VIPS_LIBS	:= $(shell pkg-config --libs vips 2>/dev/null)
LDLIBS		 = -ljansson -lcrypto -lpq -lqrencode -lxlsxwriter $(VIPS_LIBS)

# The pure modules (src/lib/: no Kore, no database, they include lib.h
# only) are unit-tested and fuzzed alone; src/*.c is the Kore module.
# photo.c and poster.c are among them but bring libvips: PHOTO_OBJ, apart.
LIB_SRC		:= $(filter-out src/lib/photo.c src/lib/poster.c,$(wildcard src/lib/*.c))
PHOTO_OBJ	 = build/lib/photo.o build/lib/poster.o
KORE_SRC	:= $(wildcard src/*.c)
LIB_OBJ		 = $(LIB_SRC:src/lib/%.c=build/lib/%.o)
KORE_OBJ	 = $(KORE_SRC:src/%.c=build/%.o)
ASSETS		 = $(sort $(wildcard assets/*))
ASSET_OBJ	 = $(ASSETS:assets/%=build/assets/%.o)
MODULE		 = build/shop.so

# shop-sender, the outbox's sender (issue 12): its own program, with the
# pure modules, libpq, libcurl and the two message catalogues linked in.
SENDER_SRC	:= $(wildcard src/sender/*.c)
SENDER		 = build/shop-sender
SENDER_CAT	 = build/assets/messages_zh.json.o build/assets/messages_en.json.o

# logverify, the log's independent verifier: its own sources (under
# src/logverify/, so not part of the module), libc and OpenSSL only.
LV_SRC		:= $(wildcard src/logverify/*.c)
LV_CFLAGS	 = $(filter-out -fPIC -Ibuild -Isrc -Isrc/lib,$(CFLAGS))
LOGVERIFY	 = build/logverify

.PHONY: all deps test-deps run stop db migrate demo demo-large test unit \
	bench bench-match clean distclean admin fuzz fuzz-replay faults soak \
	cluster cluster-stop cluster-test backup restore

all: $(MODULE) build/shop-admin $(LOGVERIFY) $(SENDER) build/static/.stamp \
    build/errors/.stamp

deps:
	@missing=""; for p in $(DEPS_RUN) $(EXTRA_DEPS); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y \
		    --no-install-recommends $$missing || \
		{ $(SUDO) apt-get update && $(SUDO) env \
		    DEBIAN_FRONTEND=noninteractive apt-get install -y \
		    --no-install-recommends $$missing; }; fi

test-deps:
	@$(MAKE) -s deps EXTRA_DEPS="$(DEPS_TEST)$(if $(shell command -v npm),, npm)"
	@cd tests && if [ ! -d node_modules/playwright-core ] || \
	    [ ! -d node_modules/smtp-server ] || [ ! -d node_modules/mailparser ] || \
	    [ ! -d node_modules/ajv ] || [ ! -d node_modules/ajv-formats ] || \
	    [ ! -d node_modules/yaml ] || [ ! -d node_modules/undici ] || \
	    [ ! -d node_modules/axe-core ]; then \
		npm ci --no-audit --no-fund --loglevel=error; fi

# The schema this build expects: the last migration and the api checksum.
build/schema.h: FORCE
	@mkdir -p build
	@v=$$(ls sql/[0-9][0-9][0-9]_*.sql | sed 's|sql/0*||; s|_.*||' | sort -n | tail -1); \
	s=$$(sql/api-checksum.sh); \
	printf '#define SHOP_SCHEMA_VERSION %s\n#define SHOP_API_CHECKSUM "%s"\n' \
	    "$$v" "$$s" > $@.tmp; \
	cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@
FORCE:

build/flags: FORCE
	@mkdir -p build
	@echo '$(CC) $(CFLAGS) $(LDFLAGS)' > $@.tmp; \
	cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

build/%.o: src/%.c src/lib/lib.h src/shop.h build/flags
	@mkdir -p build
	$(CC) $(CFLAGS) $(KORE_CFLAGS) -c $< -o $@

build/lib/%.o: src/lib/%.c src/lib/lib.h build/flags
	@mkdir -p build/lib
	$(CC) $(CFLAGS) -c $< -o $@

build/lib/photo.o build/lib/poster.o: build/lib/%.o: src/lib/%.c src/lib/lib.h build/flags
	@mkdir -p build/lib
	$(CC) $(CFLAGS) $(VIPS_CFLAGS) -c $< -o $@

build/init.o: build/schema.h

# Each asset becomes an object holding its bytes (ld -r -b binary), and
# build/assets_index.c the table that names them.
build/assets/%.o: assets/%
	@mkdir -p build/assets
	cd assets && ld -r -b binary -z noexecstack -o ../$@ $*

build/assets_index.c: $(ASSETS) Makefile
	@mkdir -p build
	@{ echo '#include "lib.h"'; echo '#include "shop.h"'; \
	for f in $(ASSETS:assets/%=%); do s=$$(echo "$$f" | sed 's/[^A-Za-z0-9]/_/g'); \
	echo "extern const char _binary_$${s}_start[], _binary_$${s}_end[];"; done; \
	echo 'struct asset shop_assets[] = {'; \
	for f in $(ASSETS:assets/%=%); do s=$$(echo "$$f" | sed 's/[^A-Za-z0-9]/_/g'); \
	echo "	{ \"$$f\", _binary_$${s}_start, _binary_$${s}_end, 0 },"; done; \
	echo '};'; \
	echo 'const size_t shop_nassets = sizeof(shop_assets) / sizeof(shop_assets[0]);'; \
	} > $@

# The API's contract in the module (src/apidoc.c): docs/openapi.yaml's
# bytes, and its readable page's data, drawn from it by docs/apidoc.py.
APIDOC_OBJ	 = build/apidoc/openapi.yaml.o build/apidoc/apidoc.json.o
build/apidoc/openapi.yaml: docs/openapi.yaml
	@mkdir -p build/apidoc
	cp docs/openapi.yaml $@
build/apidoc/apidoc.json: docs/openapi.yaml docs/apidoc.py
	@mkdir -p build/apidoc
	python3 docs/apidoc.py < docs/openapi.yaml > $@.tmp && mv $@.tmp $@
build/apidoc/openapi.yaml.o: build/apidoc/openapi.yaml
	cd build/apidoc && ld -r -b binary -z noexecstack -o openapi.yaml.o openapi.yaml
build/apidoc/apidoc.json.o: build/apidoc/apidoc.json
	cd build/apidoc && ld -r -b binary -z noexecstack -o apidoc.json.o apidoc.json

$(MODULE): $(LIB_OBJ) $(PHOTO_OBJ) $(KORE_OBJ) $(ASSET_OBJ) build/assets_index.o $(APIDOC_OBJ)
	$(CC) -shared -Wl,-z,noexecstack $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The command-line tool for the accounts nobody creates through the site.
build/shop-admin: src/cli/shop-admin.c $(LIB_OBJ) build/flags
	$(CC) $(CFLAGS) $(LDFLAGS) -I/usr/include/postgresql -o $@ $< $(LIB_OBJ) \
	    -ljansson -lcrypto -lqrencode -lpq

$(SENDER): $(SENDER_SRC) src/sender/sender.h src/lib/lib.h $(LIB_OBJ) $(SENDER_CAT) \
    build/flags
	$(CC) $(CFLAGS) $(LDFLAGS) -I/usr/include/postgresql -o $@ $(SENDER_SRC) \
	    $(LIB_OBJ) $(SENDER_CAT) -ljansson -lcrypto -lqrencode -lpq -lcurl

$(LOGVERIFY): $(LV_SRC) src/logverify/lv.h build/flags
	@mkdir -p build
	$(CC) $(LV_CFLAGS) $(LDFLAGS) -o $@ $(LV_SRC) -lssl -lcrypto

# The public assets under their content's hash, as src/assets.c names
# them in pages, for a front proxy to serve from disk (conf/nginx.conf).
STATIC_SRC	 = $(filter %.css %.js %.svg %.png %.ico,$(ASSETS))
build/static/.stamp: $(STATIC_SRC)
	@rm -rf build/static && mkdir -p build/static
	@for f in $(STATIC_SRC); do n=$${f#assets/}; \
		h=$$(sha256sum "$$f" | cut -c1-16); \
		cp "$$f" "build/static/$${n%.*}.$$h.$${n##*.}"; done
	@touch $@

# The answers nginx gives itself (a body or a line over its limits), in
# the platform's format: build/errors/_error/, for conf/nginx.conf.
build/errors/.stamp: conf/error-pages.sh assets/messages_zh.json \
    assets/messages_en.json build/static/.stamp
	@rm -rf build/errors && conf/error-pages.sh build/errors
	@touch $@

build/assets_index.o: build/assets_index.c src/lib/lib.h src/shop.h
	$(CC) $(CFLAGS) $(KORE_CFLAGS) -c $< -o $@

# --- the database -----------------------------------------------------

db: deps
ifeq ($(PRIVATE_DB),yes)
	@sql/cluster.sh init $(VAR)
	@sql/cluster.sh start $(VAR)
endif
	@$(MAKE) -s migrate
	@$(MAKE) -s demo

migrate:
	@sql/migrate.sh "$(OWNER_DATABASE)"

# Demo data, loaded once into an empty database; the demo accounts get
# random passwords, listed in $(VAR)/demo-accounts.txt; the demo children
# made-up private parts, sealed with the data key ($(VAR)/data.key, made
# on first use).
demo: build/shop-admin
	@if [ -z "$$($(PGBIN)/psql -X -At "$(OWNER_DATABASE)" -c 'select 1 from orgs limit 1')" ]; then \
		echo "loading demo data"; \
		$(PGBIN)/psql -X -q -v ON_ERROR_STOP=1 "$(OWNER_DATABASE)" -f sql/demo/seed.sql -f sql/demo/log_seed.sql; \
		$(PGBIN)/psql -X -q -v ON_ERROR_STOP=1 "$(OWNER_DATABASE)" -f sql/demo/programmes.sql \
		    -f sql/demo/offers.sql; \
		OWNER_DATABASE="$(OWNER_DATABASE)" build/shop-admin demo-passwords $(VAR)/demo-accounts.txt; \
		OWNER_DATABASE="$(OWNER_DATABASE)" SHOP_VAR=$(VAR) build/shop-admin demo-private; fi

# The first administrator: make admin EMAIL=you@example.org NAME=名字
admin: build/shop-admin
	@test -n "$(EMAIL)" -a -n "$(NAME)" || { echo "usage: make admin EMAIL=... NAME=..."; exit 2; }
	@OWNER_DATABASE="$(OWNER_DATABASE)" build/shop-admin create-admin "$(EMAIL)" "$(NAME)"

# Generated needs on top of the demo data, for the benchmarks: 100,000
# in all, or DEMO_NEEDS, with their events and their public log.
DEMO_NEEDS	?= 100000
demo-large: db
	@$(PGBIN)/psql -X -q -v ON_ERROR_STOP=1 -v total=$(DEMO_NEEDS) \
	    "$(OWNER_DATABASE)" -f sql/demo/large.sql

# --- running ----------------------------------------------------------

run: deps $(MODULE) $(SENDER) db
	@VAR=$(VAR) PORT=$(PORT) SHOP_DATABASE="$(SHOP_DATABASE)" \
	    PRIVATE_DB=$(PRIVATE_DB) conf/run.sh

stop:
	@if [ -f $(VAR)/kore.pid ]; then kill $$(cat $(VAR)/kore.pid) 2>/dev/null; \
		rm -f $(VAR)/kore.pid; fi; true
	@if [ -f $(VAR)/sender.pid ]; then kill $$(cat $(VAR)/sender.pid) 2>/dev/null; \
		rm -f $(VAR)/sender.pid; fi; true
	@sql/cluster.sh stop $(VAR)

# --- the production shape on one machine (issue 17) ----------------------
# make cluster: nginx (TLS, https://127.0.0.1:8443), two Kore nodes,
# PgBouncer, a PostgreSQL primary and its streaming replica, pgBackRest,
# all from Debian packages and conf/'s files, under var/cluster/
# (conf/cluster.sh).  make cluster-stop stops it all; make backup and
# make restore TARGET_TIME='2025-01-01 12:00:00+08' work on it;
# make cluster-test starts one of its own and breaks it in turn.
DEPS_CLUSTER	 = nginx pgbouncer pgbackrest openssl curl

cluster:
	@$(MAKE) -s deps EXTRA_DEPS="$(DEPS_CLUSTER)"
	@$(MAKE) -s all
	@conf/cluster.sh up

cluster-stop:
	@conf/cluster.sh down

backup:
	@conf/cluster.sh backup

restore:
	@test -n "$(TARGET_TIME)" || { echo "usage: make restore TARGET_TIME='YYYY-MM-DD HH:MM:SS+08'"; exit 2; }
	@conf/cluster.sh restore "$(TARGET_TIME)"

cluster-test:
	@$(MAKE) -s deps EXTRA_DEPS="$(DEPS_CLUSTER) nodejs"
	@$(MAKE) -s all
	@tests/cluster/run.sh

# --- tests and benchmarks ---------------------------------------------

UNIT_TESTS	 = $(patsubst tests/unit/%.c,build/unit/%,$(wildcard tests/unit/test_*.c))

build/unit/%: tests/unit/%.c $(LIB_OBJ) tests/unit/unit.h tests/unit/splitmix.h \
    build/flags
	@mkdir -p build/unit
	$(CC) $(CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< $(LIB_OBJ) -ljansson -lcrypto \
	    -lqrencode -lcmocka

# logverify's pieces are tested alone, without the server's modules.
build/unit/test_logverify: tests/unit/test_logverify.c src/logverify/lv.h \
    $(filter-out src/logverify/logverify.c,$(LV_SRC)) build/flags
	@mkdir -p build/unit
	$(CC) $(LV_CFLAGS) $(LDFLAGS) -Isrc/logverify -o $@ $< \
	    $(filter-out src/logverify/logverify.c,$(LV_SRC)) -lssl -lcrypto \
	    -lcmocka

# photo.c's and poster.c's tests link libvips (photo's reads
# tests/fixtures/photos).
build/unit/test_photo build/unit/test_poster: build/unit/%: tests/unit/%.c \
    $(LIB_OBJ) $(PHOTO_OBJ) tests/unit/unit.h build/flags
	@mkdir -p build/unit
	$(CC) $(CFLAGS) $(VIPS_CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< \
	    $(LIB_OBJ) $(PHOTO_OBJ) -ljansson -lcrypto -lqrencode -lcmocka \
	    $(VIPS_LIBS)

# Under SANITIZE=1, leaks inside fontconfig (its caches, kept for the
# process's life) are not ours: tests/lsan.supp.
unit: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		    $$t || exit 1; done

test: test-deps
	@$(MAKE) -s all unit fuzz-replay
	@SANITIZE=$(SANITIZE) tests/run.sh

# The fault tests (tests/faults/: make test runs the quick ones), the long
# ones too (tests/faults/long/: the database's disk full, the wall clock
# stepped), each against a live server under load, with their figures.
faults: test-deps all
	@SUITE=faults tests/run.sh

# A mixed load at half the measured capacity for SOAK_MINUTES (default
# 60), sampling each worker's memory and descriptors, the database's
# connections and the outbox: their slopes, the errors, the log verified.
SOAK_MINUTES	?= 60
soak: test-deps all
	@SUITE=soak SOAK_MINUTES=$(SOAK_MINUTES) tests/run.sh

bench: test-deps all build/match_bench build/bench.so
	@tests/bench/run.sh
	@echo "== the outbox's sender (tests/bench/sender.sh)"
	@tests/bench/sender.sh
	@echo "== the matching engine alone (tests/bench/match_bench.c)"
	@build/match_bench

# The benchmark's ceiling: a bare constant handler, in a module of its own
# that only make bench loads (tests/bench/bare.c).
build/bench.so: tests/bench/bare.c src/shop.h src/lib/lib.h build/flags
	@mkdir -p build
	$(CC) $(CFLAGS) $(KORE_CFLAGS) -shared -o $@ $<

# The matching engine alone (pure C, no server): a full run over 10k to
# 100k generated needs and 10k offers, time and peak memory.
build/match_bench: tests/bench/match_bench.c tests/unit/splitmix.h build/lib/match.o src/lib/lib.h
	@mkdir -p build
	$(CC) $(CFLAGS) -o $@ tests/bench/match_bench.c build/lib/match.o

bench-match: build/match_bench
	@build/match_bench

# --- fuzzing ----------------------------------------------------------
# tests/fuzz/fuzz_NAME.c is a libFuzzer target (clang, with AddressSanitizer
# and UBSan); tests/fuzz/corpus/NAME/ holds its seeds and every input that
# once crashed it.  make test replays them all (fuzz-replay); make fuzz
# runs each target for FUZZ_SECONDS, new finds under build/fuzz/found/,
# a crash written into the corpus directory, so it is replayed from then on.
# Targets named fuzz_lv_* test logverify's pieces, the others the module's
# pure modules (LIB_SRC), each compiled here with the fuzzer's coverage.
FUZZ_SECONDS	?= 60
FUZZ_CC		 = clang
FUZZ_CFLAGS	 = -g -O1 -std=gnu11 -D_GNU_SOURCE -Isrc/lib -Isrc/logverify \
		   -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SAN	 = address,undefined
FUZZ_SRC	:= $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_TARGETS	 = $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_LIB_OBJ	 = $(LIB_SRC:src/lib/%.c=build/fuzz/obj/%.o)
FUZZ_LV_OBJ	 = $(patsubst src/logverify/%.c,build/fuzz/obj/lv_%.o, \
		   $(filter-out src/logverify/logverify.c,$(LV_SRC)))

build/fuzz/obj/lv_%.o: src/logverify/%.c src/logverify/lv.h
	@mkdir -p build/fuzz/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c $< -o $@

build/fuzz/obj/%.o: src/lib/%.c src/lib/lib.h
	@mkdir -p build/fuzz/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c $< -o $@

build/fuzz/fuzz_lv_%: tests/fuzz/fuzz_lv_%.c $(FUZZ_LV_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $^ \
	    -lssl -lcrypto

# The photo target: photo.c instrumented, libvips (not instrumented:
# what it fuzzes is our checks before libvips and our use of it).
build/fuzz/obj/photo.o: src/lib/photo.c src/lib/lib.h
	@mkdir -p build/fuzz/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(VIPS_CFLAGS) \
	    -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c $< -o $@

build/fuzz/fuzz_photo: tests/fuzz/fuzz_photo.c $(FUZZ_LIB_OBJ) \
    build/fuzz/obj/photo.o
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $^ \
	    -ljansson -lcrypto -lqrencode $(VIPS_LIBS)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $^ \
	    -ljansson -lcrypto -lqrencode

# The instrumented objects are kept between runs (not intermediate files).
.SECONDARY: $(FUZZ_LV_OBJ) $(FUZZ_LIB_OBJ) build/fuzz/obj/photo.o

# Every stored input once through its target: a crash fails make test.
fuzz-replay: $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do n=$${t#build/fuzz/fuzz_}; \
		files=$$(find tests/fuzz/corpus/$$n -type f 2>/dev/null); \
		[ -n "$$files" ] || { echo "fuzz: $$n has no corpus"; exit 1; }; \
		$$t $$files >build/fuzz/$$n.replay.log 2>&1 || \
		{ tail -n 40 build/fuzz/$$n.replay.log; \
		  echo "fuzz: $$n crashed on a stored input"; exit 1; }; \
		echo "fuzz: $$n replayed $$(echo "$$files" | wc -l) inputs"; done

fuzz: test-deps $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do n=$${t#build/fuzz/fuzz_}; \
		mkdir -p build/fuzz/found/$$n; \
		$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		    -artifact_prefix=tests/fuzz/corpus/$$n/crash- \
		    build/fuzz/found/$$n tests/fuzz/corpus/$$n \
		    >build/fuzz/$$n.log 2>&1; st=$$?; \
		echo "fuzz: $$n $$(grep -o 'stat::number_of_executed_units: [0-9]*' \
		    build/fuzz/$$n.log | sed 's/.*: //') executions in $(FUZZ_SECONDS) s"; \
		[ $$st = 0 ] || { tail -n 40 build/fuzz/$$n.log; exit 1; }; done

clean:
	rm -rf build

distclean: clean
	-@$(MAKE) -s stop
	-@conf/cluster.sh down
	@if [ -L var/cluster ]; then rm -rf "$$(readlink -f var/cluster)"; fi
	@sql/cluster.sh wipe $(VAR)
	rm -rf $(VAR) tests/node_modules
