# certhall — the only entry point: build, run, test, bench, fuzz, check.
# One library (shared/ -> libcerthall.a), one program per fcgi-apps/<name>/, pattern rules.

CC      ?= cc
BUILD   ?= build
# The base every program links; a program that needs more names it below (APP_PKGS_<name>),
# so a worker maps only the libraries it uses (idle RSS is measured by make bench).
PKGS    := libmariadb jansson inih libcrypto
WARN    := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wcast-qual -Wvla \
           -Wformat=2 -Wno-format-nonliteral
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_DEFAULT_SOURCE $(WARN) -Ishared \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lfcgi -lm

# Programs that send notifications or call third parties link libcurl (track asks couriers);
# hello does not.
APP_PKGS_account := libcurl
APP_PKGS_track   := libcurl
APP_PKGS_wizard  := libcurl libqrencode
APP_PKGS_sandbox := libcurl
APP_PKGS_review  := libcurl
CURL_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null)

# Uploads: shared/image.c decodes with ImageMagick 6 and sniffs with libmagic. Only image.o and
# test_image.o see their headers (as system headers; without -fopenmp: we have no OpenMP code),
# only the upload program links them, and a unit test needs them only if it uses them.
IMAGE_PKGS   := libmagic MagickWand
IMAGE_CFLAGS := $(patsubst -I%,-isystem %,$(filter-out -fopenmp,\
                $(shell pkg-config --cflags $(IMAGE_PKGS) 2>/dev/null)))
IMAGE_LIBS   := $(shell pkg-config --libs $(IMAGE_PKGS) 2>/dev/null)
UNIT_LIBS    := -Wl,--as-needed $(IMAGE_LIBS) -Wl,--no-as-needed
# The QR unit test reaches libqrencode through shared/qr.c.
$(BUILD)/tests/test_qr: UNIT_LIBS += $(shell pkg-config --libs libqrencode 2>/dev/null)
APP_PKGS_upload := libcurl libmagic MagickWand zbar
# Scans: shared/scan.c reads the forms' QR codes with libzbar; the scan tests draw their pages
# with tests/data/scanforge.c and encode the expected QR with libqrencode.
# The API tests' uploads of printed forms draw their QR (tests/api/wizclient.c).
QR_LIBS := $(shell pkg-config --libs libqrencode 2>/dev/null)
$(BUILD)/tests/test_scan: $(BUILD)/tests/data/scanforge.o
$(BUILD)/tests/test_scan: UNIT_LIBS += -lzbar $(shell pkg-config --libs libqrencode 2>/dev/null)
$(BUILD)/tests/unit/test_scan.o: CFLAGS += $(IMAGE_CFLAGS)
$(BUILD)/shared/image.o $(BUILD)/tests/unit/test_image.o: CFLAGS += $(IMAGE_CFLAGS)

LIB      := $(BUILD)/libcerthall.a
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard shared/*.c))

# Every folder of fcgi-apps/ is one program, certhall-<folder>, from all its .c files.
APPS     := $(notdir $(wildcard fcgi-apps/*))
APP_BINS := $(APPS:%=$(BUILD)/bin/certhall-%)
ADMIN    := $(BUILD)/bin/certhall-admin
HELLO    := $(BUILD)/bin/certhall-hello
BINS     := $(APP_BINS) $(ADMIN) $(HELLO)

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
API_TESTS  := $(patsubst tests/api/%.c,$(BUILD)/tests/api_%,$(wildcard tests/api/test_*.c))
API_HELPER := $(BUILD)/tests/api/apiclient.o $(BUILD)/tests/api/wizclient.o $(BUILD)/tests/data/scanforge.o

.PHONY: all deps run stop test unit bench bench-scan fuzz check clean
all: $(BINS)

deps:
	@tools/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# Objects are reached through pattern chains: keep them between builds.
.SECONDARY:

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

.SECONDEXPANSION:
$(BUILD)/bin/certhall-%: $$(addprefix $(BUILD)/,$$(subst .c,.o,$$(wildcard fcgi-apps/$$*/*.c))) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(if $(APP_PKGS_$*),$(shell pkg-config --libs $(APP_PKGS_$*)))

$(ADMIN): $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/admin/*.c)) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(CURL_LIBS)

$(HELLO): $(BUILD)/tests/bench/hello.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(CURL_LIBS) $(UNIT_LIBS) -lcmocka

$(BUILD)/tests/api_%: $(BUILD)/tests/api/%.o $(API_HELPER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(CURL_LIBS) $(QR_LIBS) -lcmocka

# The stack of `make run` lives in var/ and keeps its data between runs.
run: deps
	@$(MAKE) --no-print-directory all
	@tools/stack.sh run var

stop:
	@tools/stack.sh down var

unit: $(UNIT_TESTS)
	@tools/test.sh unit $(UNIT_TESTS)

# Unit tests, then API tests against a throwaway stack, then a short fuzz run; one summary line.
test: deps
	@$(MAKE) --no-print-directory all $(UNIT_TESTS) $(API_TESTS) $(FUZZ_BINS) check
	@tools/test.sh all "$(UNIT_TESTS)" "$(API_TESTS)"

bench: deps
	@$(MAKE) --no-print-directory all
	@tools/bench.sh

# The scan checks' cost (issue 18): uploads of a form with its QR against convert, and each
# check alone; standalone, so that `bench` can call it too.
BENCH_SCAN := $(BUILD)/tests/bench_scan
$(BENCH_SCAN): $(BUILD)/tests/bench/bench_scan.o $(API_HELPER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(CURL_LIBS) $(QR_LIBS) $(IMAGE_LIBS) -lzbar -lcmocka
$(BUILD)/tests/bench/bench_scan.o: CFLAGS += $(IMAGE_CFLAGS)

bench-scan: deps
	@$(MAKE) --no-print-directory all $(BENCH_SCAN)
	@tools/bench_scan.sh

# libFuzzer harnesses, one per parser (tests/fuzz/fuzz_<name>.c), built by clang with the
# sources they test compiled in, instrumented (not linked against the gcc-built library).
# Without clang there are none, and test and fuzz run without them.
CLANG       ?= $(shell command -v clang || command -v clang-14)
FUZZ_CFLAGS := -std=c11 -D_DEFAULT_SOURCE $(WARN) -Ishared -g -O1 -fno-omit-frame-pointer \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
               $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_BINS   := $(if $(CLANG),$(patsubst tests/fuzz/%.c,$(BUILD)/tests/%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_SRCS_fuzz_decode   := shared/arena.c shared/decode.c
FUZZ_SRCS_fuzz_sqlsplit := shared/sqlsplit.c
FUZZ_SRCS_fuzz_multipart := shared/arena.c shared/multipart.c shared/decode.c
FUZZ_SRCS_fuzz_route    := shared/arena.c shared/route.c shared/resp.c shared/log.c
FUZZ_LIBS_fuzz_route    := $(shell pkg-config --libs jansson 2>/dev/null) -lfcgi
FUZZ_SRCS_fuzz_scan_qr  := shared/scan.c shared/formtag.c shared/crypto.c shared/orderno.c \
                           shared/decode.c shared/arena.c
FUZZ_LIBS_fuzz_scan_qr  := -lzbar $(shell pkg-config --libs libcrypto 2>/dev/null) -lm

$(BUILD)/tests/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_fuzz_$$*) $(wildcard shared/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^) $(FUZZ_LIBS_fuzz_$*)

FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_BINS)
	@tools/fuzz.sh $(FUZZ_SECONDS)

# STYLE.md rule 10: the banned functions never appear in our C.
check:
	@! grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok)\s*\(' \
		$$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]') \
		|| { echo "banned function used (STYLE.md rule 10)"; exit 1; }

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
