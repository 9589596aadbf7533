# FacetIdl.cmake - run facet-idl as a build step.
#
#   facet_idl(TARGET name FILES a.idl b.idl... [INCLUDE_DIRS dir...]
#             [OUTPUT_DIR dir])
#
# Compiles each X.idl into OUTPUT_DIR/X.h, OUTPUT_DIR/X_typeinfo.c and
# OUTPUT_DIR/X_ps.c, its proxies and stubs (OUTPUT_DIR defaults to ${CMAKE_CURRENT_BINARY_DIR}/<name>) and makes
# <name>, an INTERFACE library whose include folder holds the headers and
# that brings Facet::headers along: target_link_libraries(my_component
# PRIVATE <name>) is all a component needs. The list of X_typeinfo.c files is in the variable
# <name>_TYPEINFO_SOURCES and the target property FACET_IDL_TYPEINFO_SOURCES,
# for a target that wants the type information too; the list of X_ps.c
# files is in <name>_PROXY_STUB_SOURCES and FACET_IDL_PROXY_STUB_SOURCES,
# for a proxy/stub library (C only, as MIDL's proxies are). Each X.idl's
# coclasses, as a manifest's classes, are OUTPUT_DIR/X_classes.json
# (facet-idl --lang manifest), listed in the property FACET_IDL_CLASSES,
# which facet_add_module(... IDL <name> CLASSES ...) reads.
#
# The folder of facet.idl (the runtime's own interfaces) is always searched,
# so an IDL file can say import "facet.idl". In Facet's own build the
# compiler is the facet-idl target; from an installed package
# (find_package(Facet)) it is the imported Facet::idl.

if(EXISTS "${CMAKE_CURRENT_LIST_DIR}/../idl/facet.idl")
  set(FACET_IDL_IMPORT_DIR "${CMAKE_CURRENT_LIST_DIR}/../idl")
elseif(NOT FACET_IDL_IMPORT_DIR)
  # FacetConfig.cmake sets it from the installed include folder.
  message(FATAL_ERROR "FacetIdl.cmake: include it through find_package(Facet)")
endif()
set(FACET_IDL_IMPORT_DIR "${FACET_IDL_IMPORT_DIR}" CACHE INTERNAL "folder of facet.idl")

function(facet_idl)
  cmake_parse_arguments(I "" "TARGET;OUTPUT_DIR" "FILES;INCLUDE_DIRS" ${ARGN})
  if(NOT I_TARGET OR NOT I_FILES)
    message(FATAL_ERROR "facet_idl: usage: facet_idl(TARGET name FILES a.idl... "
                        "[INCLUDE_DIRS dir...] [OUTPUT_DIR dir])")
  endif()
  if(TARGET facet-idl)
    set(compiler facet-idl)
  elseif(TARGET Facet::idl)
    set(compiler Facet::idl)
  else()
    message(FATAL_ERROR "facet_idl: no facet-idl compiler: build inside Facet or "
                        "find_package(Facet) first")
  endif()
  if(NOT I_OUTPUT_DIR)
    set(I_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/${I_TARGET})
  endif()
  file(MAKE_DIRECTORY ${I_OUTPUT_DIR})

  set(flags)
  foreach(dir ${I_INCLUDE_DIRS} ${FACET_IDL_IMPORT_DIR})
    get_filename_component(dir ${dir} ABSOLUTE)
    list(APPEND flags -I ${dir})
  endforeach()

  set(headers)
  set(typeinfo)
  set(proxystubs)
  set(classes)
  foreach(file ${I_FILES})
    get_filename_component(src ${file} ABSOLUTE)
    get_filename_component(stem ${file} NAME_WE)
    set(h ${I_OUTPUT_DIR}/${stem}.h)
    set(ti ${I_OUTPUT_DIR}/${stem}_typeinfo.c)
    set(ps ${I_OUTPUT_DIR}/${stem}_ps.c)
    # The depfile names what src imports and #includes, so a change to an
    # imported file (facet.idl too) makes the outputs again.
    add_custom_command(
      OUTPUT ${h} ${ti} ${ps}
      COMMAND ${compiler} ${flags} -o ${I_OUTPUT_DIR} --depfile ${I_OUTPUT_DIR}/${stem}.d ${src}
      DEPENDS ${src} ${compiler}
      DEPFILE ${I_OUTPUT_DIR}/${stem}.d
      COMMENT "facet-idl ${file}"
      VERBATIM)
    # The coclasses as a manifest's classes, for facet_add_module() in a
    # build that cannot run the module.
    set(cls ${I_OUTPUT_DIR}/${stem}_classes.json)
    add_custom_command(
      OUTPUT ${cls}
      COMMAND ${compiler} ${flags} --lang manifest -o ${I_OUTPUT_DIR}
              --depfile ${I_OUTPUT_DIR}/${stem}_classes.d ${src}
      DEPENDS ${src} ${compiler}
      DEPFILE ${I_OUTPUT_DIR}/${stem}_classes.d
      COMMENT "facet-idl --lang manifest ${file}"
      VERBATIM)
    list(APPEND classes ${cls})
    list(APPEND headers ${h})
    list(APPEND typeinfo ${ti})
    list(APPEND proxystubs ${ps})
  endforeach()

  add_custom_target(${I_TARGET}_generate DEPENDS ${headers} ${typeinfo} ${proxystubs} ${classes})
  add_library(${I_TARGET} INTERFACE)
  target_include_directories(${I_TARGET} INTERFACE ${I_OUTPUT_DIR})
  # The generated headers include <facet/abi.h> (and, in C++, facet.hpp).
  if(TARGET facet_headers)
    target_link_libraries(${I_TARGET} INTERFACE facet_headers)
  elseif(TARGET Facet::headers)
    target_link_libraries(${I_TARGET} INTERFACE Facet::headers)
  endif()
  add_dependencies(${I_TARGET} ${I_TARGET}_generate)
  set_target_properties(${I_TARGET} PROPERTIES FACET_IDL_TYPEINFO_SOURCES "${typeinfo}"
                        FACET_IDL_PROXY_STUB_SOURCES "${proxystubs}" FACET_IDL_CLASSES "${classes}")
  set_source_files_properties(${headers} ${typeinfo} ${proxystubs} PROPERTIES GENERATED TRUE)
  set(${I_TARGET}_TYPEINFO_SOURCES ${typeinfo} PARENT_SCOPE)
  set(${I_TARGET}_PROXY_STUB_SOURCES ${proxystubs} PARENT_SCOPE)
  set(${I_TARGET}_HEADERS ${headers} PARENT_SCOPE)
endfunction()
