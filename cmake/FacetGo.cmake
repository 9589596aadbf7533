# FacetGo.cmake - Go programs and Go components of Facet's own build, and
# Rust components, as build steps. Offline: no module is downloaded.
#
# Every Go program of the build lives in one Go module, FACET_GO_DIR
# (${CMAKE_BINARY_DIR}/go, module "facetgo"), whose go.mod points
# facet.dev/facet at bindings/go: each program is a folder of it, and each
# Go package facet-idl makes of an .idl is the folder of its stem, so a
# program imports "facetgo/probe". The build cache is FACET_GO_CACHE, one
# for the whole build folder.
#
#   facet_go_idl(VAR FILES a.idl... [INCLUDE_DIRS dir...])
#       facet-idl --lang go of each file into FACET_GO_DIR/<stem>/; VAR
#       lists the files made.
#   facet_go_program(TARGET name SOURCE_DIR dir OUTPUT file
#                    [C_SHARED] [HOST] [DEPENDS file-or-target...]
#                    [CGO_CFLAGS flag...] [CGO_LDFLAGS flag...])
#       copies dir's .go, .c and .h files to FACET_GO_DIR/<name>/ and builds it with
#       go build (-buildmode=c-shared for C_SHARED: a Go component); a HOST
#       links libfacet. The target <name> is part of ALL.
#   facet_cargo_build(TARGET name MANIFEST_DIR dir CRATE crate OUTPUT file)
#       cargo build --release --offline of a cdylib crate, copied to OUTPUT.
#
# FACET_GO (the go command) and FACET_CARGO are found here; a build
# without them has no such targets (tests say SKIPPED with the reason).

find_program(FACET_GO go)
find_program(FACET_CARGO cargo HINTS $ENV{HOME}/.cargo/bin)

set(FACET_GO_DIR ${CMAKE_BINARY_DIR}/go)
set(FACET_GO_CACHE ${CMAKE_BINARY_DIR}/go-cache)
set(FACET_CARGO_DIR ${CMAKE_BINARY_DIR}/cargo)

if(FACET_GO)
  file(MAKE_DIRECTORY ${FACET_GO_DIR})
  file(WRITE ${FACET_GO_DIR}/go.mod.new
       "// Written by cmake/FacetGo.cmake: the Go programs of this build.\n"
       "module facetgo\n\ngo 1.19\n\n"
       "require facet.dev/facet v0.0.0\n\n"
       "replace facet.dev/facet => ${PROJECT_SOURCE_DIR}/bindings/go\n")
  file(COPY_FILE ${FACET_GO_DIR}/go.mod.new ${FACET_GO_DIR}/go.mod ONLY_IF_DIFFERENT)
  file(GLOB_RECURSE FACET_GO_BINDING_SOURCES CONFIGURE_DEPENDS
       ${PROJECT_SOURCE_DIR}/bindings/go/*.go ${PROJECT_SOURCE_DIR}/bindings/go/*.c
       ${PROJECT_SOURCE_DIR}/bindings/go/*.h)
endif()

# The environment every go command of the build runs in: offline, module
# mode, the build's cache, and the include folders of Facet's headers.
function(facet_go_env out)
  cmake_parse_arguments(E "HOST" "" "CGO_CFLAGS;CGO_LDFLAGS" ${ARGN})
  set(cflags -I${PROJECT_SOURCE_DIR}/include ${E_CGO_CFLAGS} -O2 -g)
  string(REPLACE ";" " " cflags "${cflags}")
  set(env GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off GOTOOLCHAIN=local GO111MODULE=on
      GOCACHE=${FACET_GO_CACHE} "CGO_CFLAGS=${cflags}" CGO_ENABLED=1)
  set(ldflags ${E_CGO_LDFLAGS})
  if(E_HOST)
    list(APPEND ldflags -L$<TARGET_FILE_DIR:facet> -Wl,-rpath,$<TARGET_FILE_DIR:facet>)
  endif()
  if(ldflags)
    string(REPLACE ";" " " ldflags "${ldflags}")
    list(APPEND env "CGO_LDFLAGS=${ldflags}")
  endif()
  set(${out} ${env} PARENT_SCOPE)
endfunction()

function(facet_go_idl var)
  cmake_parse_arguments(I "" "" "FILES;INCLUDE_DIRS" ${ARGN})
  set(flags)
  foreach(dir ${I_INCLUDE_DIRS} ${FACET_IDL_IMPORT_DIR})
    get_filename_component(dir ${dir} ABSOLUTE)
    list(APPEND flags -I ${dir})
  endforeach()
  set(all)
  foreach(file ${I_FILES})
    get_filename_component(src ${file} ABSOLUTE)
    get_filename_component(stem ${file} NAME_WE)
    set(out ${FACET_GO_DIR}/${stem})
    set(made ${out}/${stem}.h ${out}/${stem}.go ${out}/${stem}_export.go ${out}/${stem}_glue.c)
    # One rule per package, however many programs use it.
    get_property(done GLOBAL PROPERTY FACET_GO_IDL_${stem})
    if(NOT done)
      set_property(GLOBAL PROPERTY FACET_GO_IDL_${stem} TRUE)
      file(MAKE_DIRECTORY ${out})
      add_custom_command(
        OUTPUT ${made}
        COMMAND facet-idl --lang go ${flags} -o ${out} ${src}
        DEPENDS ${src} facet-idl
        COMMENT "facet-idl --lang go ${file}"
        VERBATIM)
      add_custom_target(facet_go_idl_${stem} DEPENDS ${made})
    endif()
    list(APPEND all ${made})
  endforeach()
  set(${var} ${all} PARENT_SCOPE)
endfunction()

function(facet_go_program)
  cmake_parse_arguments(P "C_SHARED;HOST" "TARGET;SOURCE_DIR;OUTPUT" "DEPENDS;CGO_CFLAGS;CGO_LDFLAGS"
                        ${ARGN})
  get_filename_component(src ${P_SOURCE_DIR} ABSOLUTE)
  file(GLOB sources CONFIGURE_DEPENDS ${src}/*.go ${src}/*.c ${src}/*.h)
  set(dir ${FACET_GO_DIR}/${P_TARGET})
  set(copies)
  foreach(f ${sources})
    get_filename_component(name ${f} NAME)
    add_custom_command(OUTPUT ${dir}/${name}
      COMMAND ${CMAKE_COMMAND} -E copy_if_different ${f} ${dir}/${name}
      DEPENDS ${f} VERBATIM)
    list(APPEND copies ${dir}/${name})
  endforeach()
  set(host)
  if(P_HOST)
    set(host HOST)
  endif()
  facet_go_env(env ${host} CGO_CFLAGS ${P_CGO_CFLAGS} CGO_LDFLAGS ${P_CGO_LDFLAGS})
  set(mode)
  if(P_C_SHARED)
    set(mode -buildmode=c-shared)
  endif()
  set(deps ${copies} ${FACET_GO_BINDING_SOURCES} ${FACET_GO_DIR}/go.mod)
  set(targets)
  foreach(d ${P_DEPENDS})
    if(TARGET ${d})
      list(APPEND targets ${d})
    else()
      list(APPEND deps ${d})
    endif()
  endforeach()
  if(P_HOST)
    list(APPEND targets facet)
  endif()
  add_custom_command(
    OUTPUT ${P_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -E env ${env} ${FACET_GO} build ${mode} -o ${P_OUTPUT} ./${P_TARGET}
    WORKING_DIRECTORY ${FACET_GO_DIR}
    DEPENDS ${deps} ${targets}
    COMMENT "go build ${mode} ${P_TARGET}"
    VERBATIM)
  add_custom_target(${P_TARGET} ALL DEPENDS ${P_OUTPUT})
  if(targets)
    add_dependencies(${P_TARGET} ${targets})
  endif()
endfunction()

function(facet_cargo_build)
  cmake_parse_arguments(R "" "TARGET;MANIFEST_DIR;CRATE;OUTPUT" "" ${ARGN})
  get_filename_component(src ${R_MANIFEST_DIR} ABSOLUTE)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${src}/*.rs ${src}/Cargo.toml
       ${PROJECT_SOURCE_DIR}/bindings/rust/*.rs ${PROJECT_SOURCE_DIR}/bindings/rust/Cargo.toml)
  set(built ${FACET_CARGO_DIR}/release/${CMAKE_SHARED_LIBRARY_PREFIX}${R_CRATE}${CMAKE_SHARED_LIBRARY_SUFFIX})
  # A Cargo.lock of another cargo may be in a format this one cannot read:
  # the crates have path dependencies only, so a fresh one is the same.
  add_custom_command(
    OUTPUT ${R_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -E rm -f ${src}/Cargo.lock
    COMMAND ${CMAKE_COMMAND} -E env CARGO_TARGET_DIR=${FACET_CARGO_DIR} CARGO_NET_OFFLINE=true
            ${FACET_CARGO} build --release --offline --quiet
            --manifest-path ${src}/Cargo.toml
    COMMAND ${CMAKE_COMMAND} -E copy ${built} ${R_OUTPUT}
    DEPENDS ${sources}
    COMMENT "cargo build ${R_CRATE}"
    VERBATIM)
  add_custom_target(${R_TARGET} ALL DEPENDS ${R_OUTPUT})
endfunction()
