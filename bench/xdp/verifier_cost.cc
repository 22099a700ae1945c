// Verifier cost of a BPF object's programs: loads it ROUNDS times and prints, per program, the
// instructions the verifier processed (bpf_prog_info.verified_insns, out of its 1,000,000
// budget) and the best and median load time. Usage: sipedge_xdp_verifier OBJ.bpf.o [ROUNDS]
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace {

int Quiet(enum libbpf_print_level, const char*, va_list) { return 0; }

struct Sample {
  uint32_t verified_insns = 0;
  uint32_t xlated_bytes = 0;
  std::vector<double> load_ms;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: sipedge_xdp_verifier OBJ.bpf.o [ROUNDS]\n");
    return 2;
  }
  int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  libbpf_set_print(Quiet);
  std::map<std::string, Sample> samples;
  for (int r = 0; r < rounds; ++r) {
    bpf_object* obj = bpf_object__open_file(argv[1], nullptr);
    if (!obj) {
      std::perror("sipedge_xdp_verifier: cannot open object");
      return 1;
    }
    auto start = std::chrono::steady_clock::now();
    int rc = bpf_object__load(obj);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (rc != 0) {
      std::fprintf(stderr, "sipedge_xdp_verifier: load failed: %d\n", rc);
      bpf_object__close(obj);
      return 1;
    }
    bpf_program* prog;
    bpf_object__for_each_program(prog, obj) {
      bpf_prog_info info{};
      uint32_t len = sizeof(info);
      if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) != 0) continue;
      Sample& s = samples[bpf_program__name(prog)];
      s.verified_insns = info.verified_insns;
      s.xlated_bytes = info.xlated_prog_len;
      s.load_ms.push_back(ms);
    }
    bpf_object__close(obj);
  }
  for (auto& [name, s] : samples) {
    std::sort(s.load_ms.begin(), s.load_ms.end());
    std::printf(
        "%s: verified %u instructions (%.1f %% of the 1,000,000 budget), %u xlated insns, "
        "object load best %.1f ms, median %.1f ms over %d rounds\n",
        name.c_str(), s.verified_insns, s.verified_insns / 10000.0, s.xlated_bytes / 8,
        s.load_ms.front(), s.load_ms[s.load_ms.size() / 2], rounds);
  }
  return 0;
}
