// Package examples holds example workloads and their golden answers.
package examples
