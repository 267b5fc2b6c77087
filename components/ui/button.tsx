import type { ButtonHTMLAttributes } from "react";

const LOOK = {
  primary: "bg-slate-900 text-white hover:bg-slate-700 border-slate-900",
  secondary: "bg-white text-slate-800 hover:bg-slate-50 border-slate-300",
  danger: "bg-rose-600 text-white hover:bg-rose-500 border-rose-600",
} as const;

export function Button({
  variant = "secondary",
  className = "",
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: keyof typeof LOOK }) {
  return (
    <button
      type="button"
      {...props}
      className={`rounded-md border px-3 py-1.5 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-50 ${LOOK[variant]} ${className}`}
    />
  );
}
