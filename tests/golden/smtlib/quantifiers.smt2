(set-logic AUFLIA)
(declare-fun f (Int) Int)
(declare-fun x () Int)
(declare-fun A () (Array Int Int))
(assert (forall ((k Int) (j Int)) (! (=> (<= k j) (<= (f k) (f j))) :pattern ((f k) (f j)))))
; the bound x must not capture the free x that y stands for
(assert (let ((y x)) (exists ((x Int)) (and (> x y) (= (select A x) y)))))
(assert (= A ((as const (Array Int Int)) 0)))
(check-sat)
