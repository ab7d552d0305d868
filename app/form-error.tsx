import type { ReactNode } from "react";

/** A form's inline error, in a slot that keeps its space so the form does not jump. Its id is `form-error`. */
export function FormError({ children }: { children: ReactNode }) {
  return (
    <div className="message-slot">
      {children && (
        <p id="form-error" className="message error" role="alert">
          {children}
        </p>
      )}
    </div>
  );
}
