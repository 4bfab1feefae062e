# The launcher itself. It links only small libraries (libcap, libseccomp, inih): a launch pays
# for every library it loads, which is why libarchive lives in the sandbox-unpack helper.
pkg_check_modules(LIBCAP REQUIRED IMPORTED_TARGET GLOBAL libcap)
pkg_check_modules(LIBSECCOMP REQUIRED IMPORTED_TARGET GLOBAL libseccomp)
pkg_check_modules(INIH REQUIRED IMPORTED_TARGET GLOBAL inih)

# Pure logic, linked by the launcher and by the unit tests. The profile code reads files and
# the environment, and uses libcap's and libseccomp's name tables, but changes nothing.
set(SANDBOX_CORE_SOURCES
  util.c sys.c idmap.c env.c reslimits.c netconf.c schema.c cli.c config.c execdiag.c
  profile.c profile_settings.c rlimit_settings.c mountspec.c seccomp_rules.c config_ini.c profile_cmd.c
  record.c imgconfig.c)
add_library(sandbox_core STATIC ${SANDBOX_CORE_SOURCES})
# A row of the settings table written without its last field (show) still builds; the unit
# test profiles.profile then names the setting that cannot be shown.
set_source_files_properties(schema.c PROPERTIES COMPILE_OPTIONS -Wno-missing-field-initializers)
target_include_directories(sandbox_core PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_include_directories(sandbox_core PUBLIC ${LIBCAP_INCLUDE_DIRS} ${LIBSECCOMP_INCLUDE_DIRS}
                           ${INIH_INCLUDE_DIRS})
target_link_libraries(sandbox_core PUBLIC sandbox_common)

# The launcher is linked statically by default: no dynamic loader, no relocations, no shared
# library pages per process, which is most of a launch's fixed cost and of the resident memory
# of the launcher and its pid 1. It never uses NSS (env.c reads /etc/passwd itself), the one
# part of glibc that needs shared objects at run time. Unit tests link the shared libraries.
option(SANDBOX_STATIC "Link the launcher statically" ON)
function(sandbox_link_libraries target)
  if(SANDBOX_STATIC AND target STREQUAL "sandbox")
    target_link_options(${target} PRIVATE -static)
    target_link_libraries(${target} PRIVATE ${LIBCAP_STATIC_LDFLAGS} ${LIBSECCOMP_STATIC_LDFLAGS}
                          ${INIH_STATIC_LDFLAGS})
  else()
    target_link_libraries(${target} PRIVATE PkgConfig::LIBCAP PkgConfig::LIBSECCOMP
                          PkgConfig::INIH)
  endif()
endfunction()
target_compile_definitions(sandbox_core PUBLIC SANDBOX_VERSION="${PROJECT_VERSION}"
                           SANDBOX_LIBEXECDIR="${SANDBOX_LIBEXECDIR}"
                           SANDBOX_DATADIR="${SANDBOX_DATADIR}"
                           SANDBOX_BUILD_DIR="${CMAKE_BINARY_DIR}")

# The shipped profiles, next to a launcher run from the build tree (profile.c looks there only
# when it runs from this directory), so that the tests need no installation.
file(GLOB shipped_profiles CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/profiles/*.ini)
foreach(profile ${shipped_profiles})
  get_filename_component(name ${profile} NAME)
  configure_file(${profile} ${CMAKE_BINARY_DIR}/profiles/${name} COPYONLY)
endforeach()

add_executable(sandbox
  main.c sandbox.c child.c init.c workload.c imagecmd.c
  cache.c image.c userns.c sync.c
  resolve.c rootfs.c storage.c procfs.c devfs.c etcfiles.c netlo.c nethelper.c mounts.c
  caps.c seccomp_filter.c seccomp_bpf.c
  session.c state.c control.c procref.c status.c entrystop.c
  verbs.c target.c ps.c stop.c enter.c selfexe.c)
target_link_libraries(sandbox PRIVATE sandbox_core)
sandbox_link_libraries(sandbox)
install(TARGETS sandbox RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Resource limits through the user's delegated cgroup v2 subtree (issue 7).
target_sources(sandbox_core PRIVATE cgroup_text.c)
target_sources(sandbox PRIVATE cgroup.c cgroup_place.c cgroup_scope.c cgroup_report.c)
