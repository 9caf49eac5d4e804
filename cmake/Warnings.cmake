# Per-target warnings (house style: zstd/nanoarrow flag sets).
function(artemis_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wcast-qual -Wpointer-arith -Wvla -Wformat=2)
  if(ARTEMIS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
