//go:build !race

package imageload

const raceBuild = false
