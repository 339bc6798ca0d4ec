// Package learn holds the trainers that produce oscillator-network weights.
package learn
