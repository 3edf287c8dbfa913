import { createVerifier } from "@baton/verify";
import User from "../models/user-model.js";

// Baton's public keys (JWKS): this service holds no signing secret.
const verifier = createVerifier({
    jwksUrl: process.env.BATON_JWKS_URL,
    issuer: process.env.JWT_ISSUER || "baton",
    audience: process.env.JWT_AUDIENCE || "baton",
});

export const verifyToken = async (req, res, next) => {
    try {
        // Extract token from Authorization header
        const token = req.headers?.authorization?.split(" ")[1];
        if (!token) {
            return res.status(401).json({ message: "Access Token required" });
        }
        
        // Verify token signature and expiration
        const decoded = await verifier.verify(token);
        if (!decoded) {
            return res.status(401).json({ message: "Invalid access token" });
        }
        
        // Verify user still exists
        const user = await User.findById(decoded.sub);
        if (!user) {
            return res.status(401).json({ message: "User not found" });
        }
        
        // Attach user to request object
        req.user = user;
        next();
    } catch (error) {
        // Handle specific JWT errors
        if(error.code === 'TOKEN_EXPIRED'){
            return res.status(401).json({ message: "Token expired" });
        } else if(error.code === 'TOKEN_INVALID'){
            return res.status(401).json({ message: "Invalid token" });
        }
        console.log("Auth error:", error);
        res.status(500).json({ message: "Internal server error" });
    }
}

export const verifySocket = async (socket, next) => {
    try {
        // Get token from auth payload or query params
        const token = socket.handshake.auth?.token || socket.handshake.query?.token;

        if (!token) {
            console.log("Socket connection rejected: No token provided");
            return next(new Error("Authentication error: No token provided"));
        }

        // Verify JWT token
        const decoded = await verifier.verify(token);
        if (!decoded) {
            console.log("Socket connection rejected: Invalid token");
            return next(new Error("Authentication error: Invalid token"));
        }

        // Get user from database
        const user = await User.findById(decoded.sub);
        if (!user) {
            console.log("Socket connection rejected: User not found");
            return next(new Error("Authentication error: User not found"));
        }

        // Attach user info to socket
        socket.userId = user._id.toString();
        socket.user = user;
        console.log(`Socket authenticated for user: ${user.fullName} (${user._id})`);
        next();
    } catch (error) {
        console.log("Socket authentication error:", error.message);
        next(new Error("Authentication error: " + error.message));
    }
}
