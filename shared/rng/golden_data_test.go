package rng

// Golden outputs recorded on linux/amd64 and verified on arm64 (qemu) and
// GOAMD64=v3. Regenerate only for an intended, reviewed change:
//
//	EDLWIRE_GOLDEN_PRINT=1 go test -run TestGolden -v ./shared/rng/
var goldenWant = map[string]string{
	"Derive(0,\"\")":                               "0xaf5570f5a1810b7a",
	"Derive(0,\"inputs\")":                         "0x6cca63652bd66c5d",
	"Derive(1,\"inputs\")":                         "0xdb6260126536263c",
	"Derive(18446744073709551615,\"bob/dropout\")": "0x8462b127c701fdd2",
	"Derive(2024,\"init\")":                        "0x3159ca23615b41ff",
	"Derive(2024,\"inputs\")":                      "0xa3bcf68f5d36444c",
	"Float64(42,7)":                                "0x3feff59df84e7cc1 0x3fdce754070ea056 0x3fc1358ba588b8c0 0x3fe34d23dd701d1f 0x3fce4efc0e0e5cf0 0x3fe46bf6dcb7987f 0x3fd6649a05c4210c 0x3fd2729c618a432a ",
	"IntN1000(42,7)":                               "718 513 590 970 629 676 45 464 ",
	"IntN2^40+3(1,2)":                              "845934855769 677778795785 862487708979 875867200696 257589483723 45305659277 549658787908 494102798956 ",
	"Normal(42,7)":                                 "0xbff02582391cca0a 0xbff46e13a7cc9993 0xbfedf7fe11d6a9df 0xc00391273d424795 0xbfada8942ba2a68e 0x3ff05b9e37510da5 0x3ff60834bcfb8f82 0xbfd3ff2e204b37ab ",
	"Normal(Derive(2024,inputs),0)":                "0xbfe08f1e9171f6f3 0xbff51e6fb81aadfa 0x3fe1cb9fdf4e47ff 0x3fe624f208eb1bc5 0xbff0372cd798a101 0xbff8fc93ee12e476 0x3fc143342887622a 0xbff21fb2948d9cda ",
	"Perm8(42,7)":                                  "[7 5 2 0 4 6 3 1]",
	"Shuffle8(42,7)":                               "[7 5 2 0 4 6 3 1]",
	"Uint64(42,7)":                                 "0xb7dff59df84e7cc1 0x838e73aa0387502b 0x97444d62e9622e30 0xf8934d23dd701d1f 0xa12793bf0383973c 0xad146bf6dcb7987f 0x0bab324d02e21086 0x76c9394e30c52195 ",
}
