(set-logic QF_LIA)
(declare-const x Int)
(declare-const x Int)
