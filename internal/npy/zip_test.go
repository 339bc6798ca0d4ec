package npy

import (
	"archive/zip"
	"bytes"
)

// rawZip returns a zip holding one stored member with the given bytes, so
// tests can put a malformed .npy inside a well-formed archive.
func rawZip(name string, b []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	fw, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	fw.Write(b)
	zw.Close()
	return buf.Bytes()
}
