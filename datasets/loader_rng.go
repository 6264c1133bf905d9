package datasets

import "math/rand/v2"

// splitmix64 is a bijective 64-bit mixer (the SplitMix64 finaliser).
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// SampleRNG returns the random stream of one sample load: it depends only on the loader
// seed, the epoch, the sample's dataset index and the attempt (0 for the sample itself,
// 1, 2, … for the replacements drawn after failures), never on worker count or timing.
func SampleRNG(seed uint64, epoch, index, attempt int) *rand.Rand {
	s := splitmix64(splitmix64(splitmix64(uint64(epoch))^uint64(index)) ^ uint64(attempt)<<32)
	return rand.New(rand.NewPCG(seed, s))
}

// epochOrder is the sample order of an epoch: a permutation drawn from (seed, epoch) when
// shuffling, else 0..n-1.
func epochOrder(n int, seed uint64, epoch int, shuffle bool) []int {
	if !shuffle {
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		return order
	}
	rng := rand.New(rand.NewPCG(seed^0x5f3759df, splitmix64(uint64(epoch)^0xa5a5a5a5a5a5a5a5)))
	return rng.Perm(n)
}
