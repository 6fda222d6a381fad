# Every third-party library, found once; each module links only what STYLE.md allows it.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

# CAF 0.17: Debian ships neither a CMake config nor a .pc file.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
foreach(_c core io)
  find_library(CAF_${_c}_LIBRARY NAMES caf_${_c} REQUIRED)
  add_library(CAF::${_c} SHARED IMPORTED)
  set_target_properties(CAF::${_c} PROPERTIES
    IMPORTED_LOCATION "${CAF_${_c}_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endforeach()
set_property(TARGET CAF::io APPEND PROPERTY INTERFACE_LINK_LIBRARIES CAF::core)

find_package(RocksDB 7.8 CONFIG REQUIRED)
find_package(simdjson 3.0 CONFIG REQUIRED)
find_package(spdlog 1.10 CONFIG REQUIRED)
find_package(nlohmann_json 3.11 CONFIG REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
# cpp-httplib is a compiled .so; pkg-config carries the -D flags every TU must share.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib>=0.11)
if(ACTORFLOW_BUILD_TESTS)
  find_package(Boost 1.74 CONFIG REQUIRED COMPONENTS unit_test_framework)
endif()
