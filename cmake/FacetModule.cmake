# FacetModule.cmake - build a Facet module and its manifest.
#
#   facet_add_module(target source... [MANIFEST part.facet.json])
#
# Makes target, a shared library loaded at run time (a CMake MODULE) with
# no "lib" prefix, whose names are hidden but facet_module_entry, and which
# sees Facet's headers (Facet::headers; it links nothing of Facet's).
#
# With MANIFEST, the build writes <module>.facet.json next to the module:
# the hand-written part (requires, permissions, description, isolation; any
# field of docs/manifest.md) is copied there, and `facet inspect
# --write-manifest` merges into it what the module says of itself (name,
# version, api level, library, classes with their interfaces), naming each
# field it changed. Where the build cannot run the module (a cross build),
# the hand-written part is copied alone and a warning says so.

function(facet_add_module target)
  cmake_parse_arguments(M "" "MANIFEST" "" ${ARGN})
  add_library(${target} MODULE ${M_UNPARSED_ARGUMENTS})
  set_target_properties(${target} PROPERTIES PREFIX "" C_VISIBILITY_PRESET hidden
                        CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  if(TARGET facet_headers)
    target_link_libraries(${target} PRIVATE facet_headers)
  else()
    target_link_libraries(${target} PRIVATE Facet::headers)
  endif()
  if(COMMAND facet_target_warnings)
    facet_target_warnings(${target})
  endif()
  if(NOT M_MANIFEST)
    return()
  endif()
  get_filename_component(part ${M_MANIFEST} ABSOLUTE)
  set(manifest "$<TARGET_FILE_DIR:${target}>/$<TARGET_FILE_BASE_NAME:${target}>.facet.json")
  if(TARGET facet-tool)
    set(tool facet-tool)
    add_dependencies(${target} facet-tool facet-probe)
  else()
    set(tool Facet::tool)
  endif()
  if(CMAKE_CROSSCOMPILING)
    message(WARNING "facet_add_module(${target}): a cross build cannot run the module to "
                    "describe it; its manifest is ${M_MANIFEST} alone")
    add_custom_command(TARGET ${target} POST_BUILD
      COMMAND ${CMAKE_COMMAND} -E copy ${part} ${manifest}
      VERBATIM)
    return()
  endif()
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E copy ${part} ${manifest}
    COMMAND ${tool} inspect --write-manifest $<TARGET_FILE:${target}>
    COMMENT "manifest of ${target}: ${M_MANIFEST} and what the module says"
    VERBATIM)
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${part})
endfunction()
