# Warnings and sanitizer flags shared by every Facet target.
set(FACET_WARNINGS -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes)
set(FACET_CXX_WARNINGS -Wall -Wextra)

if(FACET_SANITIZE STREQUAL "ON" OR FACET_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  # An object made in C (the runtime's host object, a C component's object)
  # has a vtable but no C++ type info in front of it, so UBSan's vptr check
  # takes every COM-style C++ call on it for a bug: C++ code calls such
  # objects by design (module.hpp's Entry calls the host).
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fno-sanitize=vptr>)
  add_link_options(-fsanitize=address,undefined)
elseif(FACET_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT FACET_SANITIZE STREQUAL "OFF")
  message(FATAL_ERROR "FACET_SANITIZE must be OFF, ON or thread, not '${FACET_SANITIZE}'")
endif()

if(FACET_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  # The fuzz targets (tests/fuzz) link libfacet's objects and the IDL
  # compiler's library as they are built: everything is instrumented for
  # libFuzzer's coverage feedback and checked by ASan and UBSan, and only
  # the targets link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(FACET_COVERAGE)
  # Atomic counters: the concurrency tests would otherwise race on them and
  # leave counts (even negative ones) that gcovr refuses.
  add_compile_options(--coverage -O0 -fprofile-update=atomic)
  add_link_options(--coverage)
endif()

# facet_target_warnings(target): the project's warning set, as errors with
# -DFACET_WERROR=ON.
function(facet_target_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:C>:${FACET_WARNINGS}>
    $<$<COMPILE_LANGUAGE:CXX>:${FACET_CXX_WARNINGS}>)
  if(FACET_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# facet_add_module(): cmake/FacetModule.cmake, installed with the package.
include(${CMAKE_CURRENT_LIST_DIR}/FacetModule.cmake)
