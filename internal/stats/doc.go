// Package stats summarises repeated measurements (probe accuracies over seeds): mean and
// sample standard deviation, and the paired difference of two methods measured on the same
// seeds with a Student's t confidence interval (the paired t-test).
package stats
