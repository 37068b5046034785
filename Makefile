# certhall — the only entry point: build, run, test, bench, fuzz, check, install, deb.
# One library (shared/ -> libcerthall.a), one program per fcgi-apps/<name>/, pattern rules.

CC      ?= cc
# make SAN=1 test: the same tests with every program and test built under ASan and UBSan, in a
# build tree of its own.
SAN     ?=
BUILD   ?= $(if $(SAN),build-san,build)
# The base every program links; a program that needs more names it below (APP_PKGS_<name>),
# so a worker maps only the libraries it uses (idle RSS is measured by make bench).
PKGS    := libmariadb jansson inih libcrypto
WARN    := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wcast-qual -Wvla \
           -Wformat=2 -Wno-format-nonliteral
CFLAGS  ?= -O2 -g
ifneq ($(SAN),)
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
           -DCERTHALL_SANITIZED
LDFLAGS += -fsanitize=address,undefined
endif
CFLAGS  += -std=c11 -D_DEFAULT_SOURCE $(WARN) -Ishared \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lfcgi -lm

# Programs that send notifications or call third parties link libcurl (track asks couriers);
# hello does not.
APP_PKGS_account := libcurl liboath libqrencode
APP_PKGS_track   := libcurl
APP_PKGS_wizard  := libcurl libqrencode
APP_PKGS_sandbox := libcurl
APP_PKGS_review  := libcurl
CURL_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null)

# Uploads: shared/media/image.c decodes with ImageMagick 6 and sniffs with libmagic. Only image.o and
# test_image.o see their headers (as system headers; without -fopenmp: we have no OpenMP code),
# only the upload program links them, and a unit test needs them only if it uses them.
IMAGE_PKGS   := libmagic MagickWand
IMAGE_CFLAGS := $(patsubst -I%,-isystem %,$(filter-out -fopenmp,\
                $(shell pkg-config --cflags $(IMAGE_PKGS) 2>/dev/null)))
IMAGE_LIBS   := $(shell pkg-config --libs $(IMAGE_PKGS) 2>/dev/null)
UNIT_LIBS    := -Wl,--as-needed $(IMAGE_LIBS) -Wl,--no-as-needed
# The QR unit test reaches libqrencode through shared/media/qr.c.
$(BUILD)/tests/test_qr: UNIT_LIBS += $(shell pkg-config --libs libqrencode 2>/dev/null)
# The PNG pre-pass (shared/media/prepass.c) inflates the image data with zlib.
UNIT_LIBS += -lz
# The upload program opens MagickWand itself on its first image (dlopen, by this soname), so
# an idle worker does not map it: it links only libmagic (and libzbar, for the forms' QR codes).
IMAGE_WAND_SO := $(shell objdump -p $$(pkg-config --variable=libdir MagickWand 2>/dev/null)/$(patsubst -l%,lib%.so,$(firstword $(shell pkg-config --libs-only-l MagickWand 2>/dev/null))) 2>/dev/null | awk '$$1 == "SONAME" { print $$2 }')
APP_PKGS_upload := libcurl libmagic zlib zbar
# Scans: shared/media/scan.c reads the forms' QR codes with libzbar; the scan tests draw their pages
# with tests/data/scanforge.c and encode the expected QR with libqrencode.
# The API tests' uploads of printed forms draw their QR (tests/api/wizclient.c).
QR_LIBS := $(shell pkg-config --libs libqrencode 2>/dev/null)
$(BUILD)/tests/test_scan: $(BUILD)/tests/data/scanforge.o
$(BUILD)/tests/test_scan: UNIT_LIBS += -lzbar $(shell pkg-config --libs libqrencode 2>/dev/null)
# The letter's face-check QR is read back off the page as a phone would (libzbar).
$(BUILD)/tests/api_test_letter_face: API_LIBS += -lzbar
$(BUILD)/tests/unit/test_scan.o: CFLAGS += $(IMAGE_CFLAGS)
$(BUILD)/shared/media/image.o $(BUILD)/tests/unit/test_image.o: CFLAGS += $(IMAGE_CFLAGS)
$(BUILD)/shared/media/image.o: CFLAGS += -DIMAGE_WAND_SO='"$(IMAGE_WAND_SO)"'


LIB      := $(BUILD)/libcerthall.a
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard shared/*/*.c))

# Every folder of fcgi-apps/ is one program, certhall-<folder>, from all its .c files.
APPS     := $(notdir $(wildcard fcgi-apps/*))
APP_BINS := $(APPS:%=$(BUILD)/bin/certhall-%)
ADMIN    := $(BUILD)/bin/certhall-admin
HELLO    := $(BUILD)/bin/certhall-hello
BINS     := $(APP_BINS) $(ADMIN) $(HELLO)

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
API_TESTS  := $(patsubst tests/api/%.c,$(BUILD)/tests/api_%,$(wildcard tests/api/test_*.c))
# make test-galera's own tests, against the three nodes of a --galera stack.
GALERA_TESTS := $(patsubst tests/galera/%.c,$(BUILD)/tests/galera_%,$(wildcard tests/galera/test_*.c))
API_HELPER := $(BUILD)/tests/api/apiclient.o $(BUILD)/tests/api/wizclient.o $(BUILD)/tests/data/scanforge.o

.PHONY: all deps run stop test unit bench bench-scan bench-sms fuzz faults check clean install deb \
        fresh-test test-galera
all: $(BINS)

deps:
	@tools/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# Objects are reached through pattern chains: keep them between builds.
.SECONDARY:

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

.SECONDEXPANSION:
$(BUILD)/bin/certhall-%: $$(addprefix $(BUILD)/,$$(subst .c,.o,$$(wildcard fcgi-apps/$$*/*.c))) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(if $(APP_PKGS_$*),$(shell pkg-config --libs $(APP_PKGS_$*)))

$(ADMIN): $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/admin/*.c)) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CURL_LIBS)

$(HELLO): $(BUILD)/tests/bench/hello.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CURL_LIBS) $(UNIT_LIBS) -lcmocka

$(BUILD)/tests/api_%: $(BUILD)/tests/api/%.o $(API_HELPER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CURL_LIBS) $(QR_LIBS) $(API_LIBS) -lcmocka

$(BUILD)/tests/galera_%: $(BUILD)/tests/galera/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# The stack of `make run` lives in var/ and keeps its data between runs.
run: deps
	@$(MAKE) --no-print-directory all
	@tools/stack.sh run var

stop:
	@tools/stack.sh down var

unit: $(UNIT_TESTS)
	@tools/test.sh unit $(UNIT_TESTS)

# Unit tests, then API tests against a throwaway stack, then a short fuzz run; one summary line.
# Under SAN=1 the fuzzers (sanitized already) are left out, and leaks are not errors: the
# workers' and tests' exits are not where memory is judged.
TEST_ENV := BUILD=$(BUILD) SAN=$(SAN) CERTHALL_BIN=$(abspath $(BUILD))/bin \
            CERTHALL_ADMIN=$(abspath $(BUILD))/bin/certhall-admin \
            $(if $(SAN),NO_FUZZ=1 ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
              UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1)
test: deps
	@$(MAKE) --no-print-directory all $(UNIT_TESTS) $(API_TESTS) $(if $(SAN),,$(FUZZ_BINS)) check
	@$(TEST_ENV) tools/test.sh all "$(UNIT_TESTS)" "$(API_TESTS)"

# The API tests against a stack on three local MariaDB Galera nodes, the programs spread over
# them, then the Galera tests (conflicts, two nodes deciding at once, order numbers) and one
# node killed under load and rejoining (tools/galera_kill.sh); one summary line. Each statement
# waits for the cluster (wsrep_sync_wait): a test binary gets 20 minutes instead of 10 before
# it counts as hung (test_upload took more than 10 on a machine others were loading).
GALERA_TEST_TIMEOUT ?= 1200
test-galera: deps
	@tools/deps.sh --galera
	@$(MAKE) --no-print-directory all $(API_TESTS) $(GALERA_TESTS)
	@$(TEST_ENV) TEST_TIMEOUT=$(GALERA_TEST_TIMEOUT) tools/test.sh galera "$(GALERA_TESTS)" "$(API_TESTS)"

# The look-up, uploads and the queue (tools/bench.sh), then the scan checks, SMS code delivery
# and the import of the CA's certificates, each on a stack of its own.
bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_SCAN)
	@tools/bench.sh
	@tools/bench_scan.sh
	@tools/bench_sms.sh
	@tools/bench_import.sh

# The scan checks' cost (issue 18): uploads of a form with its QR against convert, and each
# check alone; standalone, so that `bench` can call it too.
BENCH_SCAN := $(BUILD)/tests/bench_scan
$(BENCH_SCAN): $(BUILD)/tests/bench/bench_scan.o $(API_HELPER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CURL_LIBS) $(QR_LIBS) $(IMAGE_LIBS) -lzbar -lz -lcmocka
$(BUILD)/tests/bench/bench_scan.o: CFLAGS += $(IMAGE_CFLAGS)

bench-scan: deps
	@$(MAKE) --no-print-directory all $(BENCH_SCAN)
	@tools/bench_scan.sh

# Code delivery p50/p99 with two SMS providers, the first failing or down (tools/bench_sms.sh).
bench-sms: deps
	@$(MAKE) --no-print-directory all
	@tools/bench_sms.sh

# libFuzzer harnesses, one per parser (tests/fuzz/fuzz_<name>.c), built by clang with the
# sources they test compiled in, instrumented (not linked against the gcc-built library).
# Without clang there are none, and test and fuzz run without them.
CLANG       ?= $(shell command -v clang || command -v clang-14)
FUZZ_CFLAGS := -std=c11 -D_DEFAULT_SOURCE $(WARN) -Ishared -g -O1 -fno-omit-frame-pointer \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
               $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_BINS   := $(if $(CLANG),$(patsubst tests/fuzz/%.c,$(BUILD)/tests/%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_SRCS_fuzz_decode   := shared/base/arena.c shared/base/decode.c
FUZZ_SRCS_fuzz_sqlsplit := shared/db/sqlsplit.c
FUZZ_SRCS_fuzz_csv      := shared/base/csv.c
FUZZ_SRCS_fuzz_multipart := shared/base/arena.c shared/web/multipart.c shared/base/decode.c
FUZZ_SRCS_fuzz_route    := shared/base/arena.c shared/web/route.c shared/web/resp.c shared/base/log.c
FUZZ_LIBS_fuzz_route    := $(shell pkg-config --libs jansson 2>/dev/null) -lfcgi
FUZZ_SRCS_fuzz_prepass  := shared/media/prepass.c
FUZZ_LIBS_fuzz_prepass  := -lz
FUZZ_SRCS_fuzz_conf     := shared/base/conf.c shared/base/log.c shared/base/cidr.c shared/base/hallday.c
FUZZ_SRCS_fuzz_cidr     := shared/base/cidr.c
FUZZ_SRCS_fuzz_jsonw    := shared/base/jsonw.c shared/base/arena.c
FUZZ_LIBS_fuzz_jsonw    := $(shell pkg-config --libs jansson 2>/dev/null)
FUZZ_LIBS_fuzz_conf     := $(shell pkg-config --libs inih 2>/dev/null)
FUZZ_SRCS_fuzz_fields   := shared/base/arena.c shared/web/req.c shared/web/resp.c shared/base/valid.c shared/base/log.c \
                           shared/crypto/crypto.c shared/base/decode.c shared/base/errbuf.c shared/base/fdio.c
FUZZ_LIBS_fuzz_fields   := $(shell pkg-config --libs jansson libcrypto 2>/dev/null) -lfcgi
FUZZ_SRCS_fuzz_providers := shared/ext/pay.c shared/ext/verify.c shared/ext/courier.c shared/ext/notify.c \
                           shared/ext/notify_alibaba.c shared/ext/notify_tencent.c shared/ext/notify_webhook.c \
                           shared/ext/notify_smtp.c shared/ext/provider.c shared/ext/http.c shared/crypto/crypto.c \
                           shared/base/valid.c shared/ext/waybill.c shared/domain/order.c shared/db/changes.c shared/base/log.c shared/base/conf.c \
                           shared/base/cidr.c shared/base/hallday.c shared/db/db.c shared/base/arena.c shared/base/decode.c shared/base/errbuf.c shared/base/fdio.c
FUZZ_LIBS_fuzz_providers := $(shell pkg-config --libs jansson libcrypto libcurl inih libmariadb 2>/dev/null)
FUZZ_SRCS_fuzz_cert     := shared/crypto/cert.c shared/crypto/cert_verify.c shared/crypto/crypto.c shared/base/errbuf.c shared/base/fdio.c \
                           shared/base/decode.c shared/base/arena.c
FUZZ_LIBS_fuzz_cert     := $(shell pkg-config --libs libcrypto 2>/dev/null)
FUZZ_SRCS_fuzz_scan_qr  := shared/media/scan.c shared/base/errbuf.c shared/base/fdio.c shared/domain/formtag.c shared/crypto/crypto.c shared/domain/orderno.c \
                           shared/base/decode.c shared/base/arena.c
FUZZ_LIBS_fuzz_scan_qr  := -lzbar $(shell pkg-config --libs libcrypto 2>/dev/null) -lm

$(BUILD)/tests/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_fuzz_$$*) $(wildcard shared/*/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^) $(FUZZ_LIBS_fuzz_$*)

# FUZZ_RUNS=N: N executions per harness instead of FUZZ_SECONDS; FUZZ_ONLY="conf providers":
# only those (tools/fuzz.sh).
FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_BINS)
	@FUZZ_RUNS="$(FUZZ_RUNS)" FUZZ_ONLY="$(FUZZ_ONLY)" tools/fuzz.sh $(FUZZ_SECONDS)

# The fault campaign of tools/faults.sh on a throwaway stack; FAULT_SECONDS of load per case;
# FAULTS_LONG=1 adds the long cases.
FAULT_SECONDS ?= 6
FAULTS_LONG   ?=
faults: deps
	@$(MAKE) --no-print-directory all
	@tools/faults.sh $(if $(FAULTS_LONG),--long) $(FAULT_SECONDS)

# STYLE.md rule 10: the banned functions never appear in our C; the layers of shared/
# (tools/layers.sh); every route declares its roles (tools/routes.sh).
check:
	@! grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok)\s*\(' \
		$$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]') \
		|| { echo "banned function used (STYLE.md rule 10)"; exit 1; }
	@tools/layers.sh
	@tools/routes.sh

# Installed the way a Debian service is: programs, data, an example /etc/certhall/certhall.conf,
# nginx snippets and systemd units, with these paths written into the files that name them.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/certhall
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
RUNDIR     ?= /run/certhall
STATEDIR   ?= /var/lib/certhall
install: all
	@DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" BINDIR="$(BINDIR)" DATADIR="$(DATADIR)" \
	  SYSCONFDIR="$(SYSCONFDIR)" UNITDIR="$(UNITDIR)" RUNDIR="$(RUNDIR)" \
	  STATEDIR="$(STATEDIR)" BUILD="$(BUILD)" tools/install.sh

# The Debian package (debian/), built from the committed tree into $(BUILD)/deb/.
deb:
	@tools/deps.sh --deb
	@tools/deb.sh $(BUILD)/deb

# make test in a brand-new Debian 12 root (mmdebstrap), then the package installed there.
fresh-test:
	@tools/deps.sh --fresh
	@tools/fresh-test.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
