# ccattr.mk: generate C headers from ccattr specs in a plain Make project.
#
# Set these, then include this file (see plain/Makefile and docs/build.md):
#
#   CCATTR_SPECS  the spec files. Name each after its `spec NAME;`: hyperv_vtom.ccattr
#                 declares `spec hyperv_vtom;` and generates $(CCATTR_OUT)/hyperv_vtom.h.
#   CCATTR_OUT    the directory for generated files (default: generated).
#   CCATTR        the ccattr command (default: ccattr).
#   CCATTR_EMIT   the outputs (default: c; for example c,rust,json).
#   CCATTR_DEPS   more prerequisites of generation, for example the ccattr binary
#                 when this project builds it.
#
# Then make objects depend on the headers: `main.o: $(CCATTR_OUT)/hyperv_vtom.h`.
#
# How it behaves:
# - A header is generated when its spec, a file the spec includes (or a CCATTR_DEPS
#   file) is newer than the stamp $(CCATTR_OUT)/.NAME.ccattr.stamp, or when the
#   header is missing. ccattr writes the included files into the depfile
#   $(CCATTR_OUT)/.NAME.ccattr.d, which this file reads back.
# - ccattr rewrites a header only when its bytes change, and the stamp (not the
#   header) records that ccattr ran. So after an edit that does not change the
#   output, such as a comment fixed in place, ccattr runs once and nothing that
#   includes the header is rebuilt; the next make does nothing.
# - A spec with errors fails the build and writes nothing; the stamp is not touched,
#   so the next make tries again.
# - `make ccattr-clean` removes the generated files and stamps.

# The rules below must not become the including Makefile's default goal.
ccattr-default-goal := $(.DEFAULT_GOAL)

CCATTR ?= ccattr
CCATTR_OUT ?= generated
CCATTR_EMIT ?= c
CCATTR_DEPS ?=

ccattr-name = $(basename $(notdir $(1)))
CCATTR_HEADERS := $(foreach s,$(CCATTR_SPECS),$(CCATTR_OUT)/$(call ccattr-name,$(s)).h)
ccattr-stamps := $(foreach s,$(CCATTR_SPECS),$(CCATTR_OUT)/.$(call ccattr-name,$(s)).ccattr.stamp)

# $(call ccattr-rules,SPEC,NAME)
define ccattr-rules
$(CCATTR_OUT)/$(2).h: $(CCATTR_OUT)/.$(2).ccattr.stamp ;

$(CCATTR_OUT)/.$(2).ccattr.stamp: $(1) $$(CCATTR_DEPS) $(if $(wildcard $(CCATTR_OUT)/$(2).h),,ccattr-missing-output)
	$$(CCATTR) build $(1) --out-dir $(CCATTR_OUT) --emit $$(CCATTR_EMIT) --quiet \
		--depfile $(CCATTR_OUT)/.$(2).ccattr.d --depfile-target $$@
	@touch $$@

-include $(CCATTR_OUT)/.$(2).ccattr.d
endef

$(foreach s,$(CCATTR_SPECS),$(eval $(call ccattr-rules,$(s),$(call ccattr-name,$(s)))))

ccattr-missing-output:

ccattr-clean:
	rm -f $(CCATTR_HEADERS) $(ccattr-stamps) $(ccattr-stamps:.stamp=.d) \
		$(foreach s,$(CCATTR_SPECS),$(CCATTR_OUT)/$(call ccattr-name,$(s)).rs \
			$(CCATTR_OUT)/$(call ccattr-name,$(s)).json)

.PHONY: ccattr-missing-output ccattr-clean

.DEFAULT_GOAL := $(ccattr-default-goal)
