# Install rules: headers, libraries, tools, the CMake package and pkg-config.
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/facet DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS facet facet_headers EXPORT FacetTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
get_property(facet_exported GLOBAL PROPERTY FACET_EXPORTED_TARGETS)
if(facet_exported)
  install(TARGETS ${facet_exported} EXPORT FacetTargets
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()

set(FACET_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Facet)
install(EXPORT FacetTargets NAMESPACE Facet:: DESTINATION ${FACET_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/FacetConfig.cmake.in
  ${PROJECT_BINARY_DIR}/FacetConfig.cmake INSTALL_DESTINATION ${FACET_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/FacetConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/FacetConfig.cmake ${PROJECT_BINARY_DIR}/FacetConfigVersion.cmake
  DESTINATION ${FACET_CMAKE_DIR})
file(GLOB facet_cmake_modules ${PROJECT_SOURCE_DIR}/cmake/FacetIdl.cmake
     ${PROJECT_SOURCE_DIR}/cmake/FacetModule.cmake ${PROJECT_SOURCE_DIR}/cmake/FacetManifest.cmake)
if(facet_cmake_modules)
  install(FILES ${facet_cmake_modules} DESTINATION ${FACET_CMAKE_DIR})
endif()

file(RELATIVE_PATH FACET_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
foreach(pc facet facet-check)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
