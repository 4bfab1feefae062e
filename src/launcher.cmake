# The launcher itself. It links only small libraries (libcap, libseccomp): a launch pays for
# every library it loads, which is why libarchive lives in the sandbox-unpack helper.
pkg_check_modules(LIBCAP REQUIRED IMPORTED_TARGET libcap)
pkg_check_modules(LIBSECCOMP REQUIRED IMPORTED_TARGET libseccomp)

# Pure logic, linked by the launcher and by the unit tests.
add_library(sandbox_core STATIC util.c idmap.c env.c reslimits.c schema.c cli.c config.c execdiag.c
                               imgconfig.c)
target_include_directories(sandbox_core PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(sandbox_core PUBLIC sandbox_common)
target_compile_definitions(sandbox_core PUBLIC SANDBOX_VERSION="${PROJECT_VERSION}"
                           SANDBOX_LIBEXECDIR="${SANDBOX_LIBEXECDIR}")

add_executable(sandbox
  main.c sandbox.c child.c init.c workload.c imagecmd.c
  sys.c cache.c image.c userns.c sync.c
  resolve.c rootfs.c storage.c procfs.c devfs.c etcfiles.c netlo.c
  caps.c seccomp_filter.c)
target_link_libraries(sandbox PRIVATE sandbox_core PkgConfig::LIBCAP PkgConfig::LIBSECCOMP)
install(TARGETS sandbox RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
