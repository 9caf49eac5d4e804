/* The replay driver shared by the IPC fuzz targets (ipc_reader_replay, ipc_to_parquet_replay):
 * runs LLVMFuzzerTestOneInput on every file named on the command line, directories expanded
 * in sorted order, so gcc builds replay the corpora in CTest without libFuzzer. Each input is
 * handed over in a buffer of exactly its size, like libFuzzer's copy, so reads past the
 * input are caught by the sanitizers. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static void out_of_memory(const char* what) {
  fprintf(stderr, "replay: out of memory reading %s\n", what);
  exit(1);
}

static int run_file(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return 1;
  }
  uint8_t* buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n == cap) {
      cap = cap ? cap * 2 : 65536;
      uint8_t* grown = realloc(buf, cap);
      if (!grown) out_of_memory(path);
      buf = grown;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  fclose(f);
  uint8_t* exact = malloc(n ? n : 1);
  if (!exact) out_of_memory(path);
  if (n) memcpy(exact, buf, n);
  free(buf);
  LLVMFuzzerTestOneInput(exact, n);
  free(exact);
  printf("ok %s\n", path);
  return 0;
}

static int run_path(const char* path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    perror(path);
    return 1;
  }
  if (!S_ISDIR(st.st_mode)) return run_file(path);
  struct dirent** names = NULL;
  int n = scandir(path, &names, NULL, alphasort);
  if (n < 0) {
    perror(path);
    return 1;
  }
  int rc = 0;
  for (int i = 0; i < n; i++) {
    if (names[i]->d_name[0] != '.') {
      char child[4096];
      snprintf(child, sizeof child, "%s/%s", path, names[i]->d_name);
      rc |= run_path(child);
    }
    free(names[i]);
  }
  free(names);
  return rc;
}

int main(int argc, char** argv) {
  int rc = 0;
  for (int i = 1; i < argc; i++) rc |= run_path(argv[i]);
  return rc;
}
