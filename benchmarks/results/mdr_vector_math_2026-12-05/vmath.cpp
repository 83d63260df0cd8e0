// glibc libm scalar exp/acos against libmvec's 4-wide AVX2 variants (_ZGVdN4v_exp, _ZGVdN4v_acos), on arguments in
// the range the mdr kernel meets (exp: -4.4 delta/R in [-4.4, 0]; acos: 1 - 2 d/A in [-1, 1]). Interleaved rounds;
// reports ns per value and the largest difference in ulps.
#include <immintrin.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <vector>
extern "C" __m256d _ZGVdN4v_exp(__m256d);
extern "C" __m256d _ZGVdN4v_acos(__m256d);
static int64_t ulps(double a, double b) { int64_t x, y; memcpy(&x, &a, 8); memcpy(&y, &b, 8); return x > y ? x - y : y - x; }
int main() {
  const int n = 1 << 16, rounds = 200;
  std::vector<double> xe(n), xa(n), y1(n), y2(n);
  uint64_t s = 12345;
  for (int i = 0; i < n; i++) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    double u = (s >> 11) * (1.0 / 9007199254740992.0);
    xe[i] = -4.4 * u; xa[i] = 1.0 - 2.0 * u;
  }
  double t[4] = {0, 0, 0, 0};
  for (int r = 0; r < rounds; r++) {
    auto a = std::chrono::steady_clock::now();
    for (int i = 0; i < n; i++) y1[i] = exp(xe[i]);
    auto b = std::chrono::steady_clock::now();
    for (int i = 0; i < n; i += 4) _mm256_storeu_pd(&y2[i], _ZGVdN4v_exp(_mm256_loadu_pd(&xe[i])));
    auto c = std::chrono::steady_clock::now();
    for (int i = 0; i < n; i++) y1[i] = acos(xa[i]);
    auto d = std::chrono::steady_clock::now();
    for (int i = 0; i < n; i += 4) _mm256_storeu_pd(&y2[i], _ZGVdN4v_acos(_mm256_loadu_pd(&xa[i])));
    auto e = std::chrono::steady_clock::now();
    t[0] += std::chrono::duration<double>(b - a).count(); t[1] += std::chrono::duration<double>(c - b).count();
    t[2] += std::chrono::duration<double>(d - c).count(); t[3] += std::chrono::duration<double>(e - d).count();
  }
  int64_t ue = 0, ua = 0; long de = 0, da = 0;
  for (int i = 0; i < n; i++) {
    double a = exp(xe[i]); __m256d v = _ZGVdN4v_exp(_mm256_set1_pd(xe[i])); double b[4]; _mm256_storeu_pd(b, v);
    int64_t u = ulps(a, b[0]); ue = u > ue ? u : ue; de += u != 0;
    a = acos(xa[i]); v = _ZGVdN4v_acos(_mm256_set1_pd(xa[i])); _mm256_storeu_pd(b, v);
    u = ulps(a, b[0]); ua = u > ua ? u : ua; da += u != 0;
  }
  double k = 1e9 / (double(n) * rounds);
  printf("exp : libm %.2f ns, libmvec %.2f ns per value (%.2fx); %ld of %d differ, at most %ld ulp\n", t[0] * k, t[1] * k, t[0] / t[1], de, n, (long)ue);
  printf("acos: libm %.2f ns, libmvec %.2f ns per value (%.2fx); %ld of %d differ, at most %ld ulp\n", t[2] * k, t[3] * k, t[2] / t[3], da, n, (long)ua);
}
